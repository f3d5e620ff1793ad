"""A trader's pledge on Zalo: numbered answers, the check-in from the outbox, and the
certificate sent as a media URL (Zalo takes photos only by URL)."""

from __future__ import annotations

import io
from datetime import datetime

from PIL import Image

from bot.core.clock import LOCAL_TZ, FakeClock
from tests.zalo_harness import Zalo, make_zalo


async def test_a_trader_pledges_checks_in_and_gets_the_certificate_on_zalo(
    zalo: Zalo, clock: FakeClock
) -> None:
    public = await make_zalo(zalo.app, zalo.fake, zalo.url, public="https://bot.example.org")
    try:
        for text in ("/start", "1", "tieu thuong", "ky lua", "1"):
            await public.say("t1", text)
        answer = await public.say("t1", "cam ket goi la chuoi")
        assert any("Mình gói rau, thịt, xôi bằng lá chuối" in t for t in answer)
        await public.say("t1", "mot tuan")
        clock.set(datetime(2026, 12, 7, 19, 0, tzinfo=LOCAL_TZ))
        assert await zalo.app.outbox.run_jobs() == 1
        assert (await zalo.app.outbox.deliver_due()).sent == 1
        asked = zalo.fake.texts("t1")[-1]
        assert "Tuần 1/1" in asked and "\n1. Có, mình giữ được" in asked
        replies = await public.say("t1", "1")
        assert any("Đây là giấy chứng nhận của bạn." in t for t in replies)
        photos = zalo.fake.sent("sendPhoto", "t1")
        assert len(photos) == 1 and photos[0]["photo"].startswith("https://bot.example.org/media/")
        token = photos[0]["photo"].split("/media/")[1]
        stored = await public.channel.media.get(token)
        assert stored is not None and stored.mime_type == "image/png"
        assert Image.open(io.BytesIO(stored.data)).format == "PNG"
        assert "Bạn có muốn cam kết tiếp (một tuần) không?" in zalo.fake.texts("t1")[-1]
    finally:
        await public.channel.api.close()
        await public.channel.downloads.aclose()
