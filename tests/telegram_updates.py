"""Update payloads shaped like the ones Telegram really sends (field names from the spec)."""

from __future__ import annotations

from typing import Any

from tests.fake_telegram import BOT, chat, photo_size

DATE = 1764900000
_message_ids = iter(range(1, 10**9))


def user(user_id: int, language: str | None = "en", first_name: str = "Lan") -> dict[str, Any]:
    found: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    return found | ({"language_code": language} if language else {})


def message(sender: dict[str, Any], chat_id: int | None = None, **content: Any) -> dict[str, Any]:
    chat_id = sender["id"] if chat_id is None else chat_id
    return {
        "message_id": next(_message_ids),
        "from": sender,
        "chat": chat(chat_id),
        "date": DATE,
        **content,
    }


def text(sender: dict[str, Any], body: str, chat_id: int | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {"text": body}
    if body.startswith("/"):
        length = len(body.split()[0])
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return {"message": message(sender, chat_id, **content)}


def press(sender: dict[str, Any], bot_message: dict[str, Any], data: str) -> dict[str, Any]:
    return {
        "callback_query": {
            "id": f"cq{next(_message_ids)}",
            "from": sender,
            "message": bot_message,
            "chat_instance": "-7000000000000000001",
            "data": data,
        }
    }


def photo(
    sender: dict[str, Any], file_ids: tuple[str, str, str], caption: str = ""
) -> dict[str, Any]:
    small, medium, large = file_ids
    sizes = [
        photo_size(small, 90, 68, 1200),
        photo_size(medium, 320, 240, 15000),
        photo_size(large, 1280, 960, 120000),
    ]
    content: dict[str, Any] = {"photo": sizes}
    if caption:
        content["caption"] = caption
    return {"message": message(sender, **content)}


def image_document(sender: dict[str, Any], file_id: str, mime: str, size: int) -> dict[str, Any]:
    document = {
        "file_id": file_id,
        "file_unique_id": "u" + file_id,
        "file_name": "cho-dong-kinh.png",
        "mime_type": mime,
        "file_size": size,
    }
    return {"message": message(sender, document=document)}


def location(sender: dict[str, Any], lat: float, lon: float) -> dict[str, Any]:
    return {"message": message(sender, location={"latitude": lat, "longitude": lon})}


def edited(sender: dict[str, Any], body: str) -> dict[str, Any]:
    return {"edited_message": message(sender, text=body, edit_date=DATE + 60)}


def channel_post(channel_id: int = -1001234567890) -> dict[str, Any]:
    post = {
        "message_id": next(_message_ids),
        "sender_chat": {"id": channel_id, "type": "channel", "title": "Tin môi trường"},
        "chat": {"id": channel_id, "type": "channel", "title": "Tin môi trường"},
        "date": DATE,
        "text": "/start",
    }
    return {"channel_post": post}


def sticker(sender: dict[str, Any]) -> dict[str, Any]:
    body = {
        "file_id": "stk1",
        "file_unique_id": "ustk1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "👍",
    }
    return {"message": message(sender, sticker=body)}


def voice(sender: dict[str, Any]) -> dict[str, Any]:
    body = {"file_id": "vc1", "file_unique_id": "uvc1", "duration": 3, "mime_type": "audio/ogg"}
    return {"message": message(sender, voice=body)}


def membership(
    sender: dict[str, Any], old: str, new: str, chat_id: int | None = None
) -> dict[str, Any]:
    def member(status: str) -> dict[str, Any]:
        found: dict[str, Any] = {"status": status, "user": BOT}
        return found | ({"until_date": 0} if status == "kicked" else {})

    return {
        "my_chat_member": {
            "chat": chat(sender["id"] if chat_id is None else chat_id),
            "from": sender,
            "date": DATE,
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
    }
