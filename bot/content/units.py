"""Finding a commune: by its name, a pre-2025 name, with typos, or by a point on the map.

People in Lạng Sơn still name the commune and the district they had before the 2025 merger
('mai pha', 'Tân Tiến, Tràng Định'), without accents and with small typos. The index is built
once at start-up from `content/units.yaml`; a query folds the text once and scans ~300 short
keys, with rapidfuzz for the typo-tolerant pass.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.content.model import Commune, District, FormerUnit
from bot.core.text import fold, fold_unit_name, has_words

_PART = re.compile(
    r"^(?P<name>(?:Xã|Phường|Thị trấn) .+?) \((?P<code>\d{5}), (?P<district>[^,()]+)"
    r"(?P<partial>, mot phan)?\)$"
)
_DISTRICT_PREFIXES = ("huyen ", "thanh pho ", "tp. ", "tp ", "h. ")
_SEPARATORS = re.compile(r"\s*(?:[,;/()]|\s-\s)\s*")
EARTH_KM = 6371.0


def parse_merged_from(text: str, districts: Sequence[District]) -> tuple[FormerUnit, ...]:
    """'Xã Mai Pha (05992, Thành phố Lạng Sơn) + …' -> the former units; ValueError names a
    part it cannot read."""
    by_name = {d.name: d.code for d in districts}
    units = []
    for part in text.split(" + "):
        found = _PART.match(part.strip())
        if found is None:
            raise ValueError(f"cannot read {part.strip()!r} (expected 'Xã Name (code, district)')")
        district = by_name.get(found["district"])
        if district is None:
            raise ValueError(f"unknown former district {found['district']!r} in {part.strip()!r}")
        name = found["name"]
        units.append(
            FormerUnit(found["code"], name, district, bool(found["partial"]), fold_unit_name(name))
        )
    return tuple(units)


def fold_district_name(text: str) -> str:
    """'Huyện Tràng Định' -> 'trang dinh'; 'TP Lạng Sơn' -> 'lang son'."""
    folded = fold(text)
    for prefix in _DISTRICT_PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix) :]
    return folded


def allowed_typos(key: str) -> int:
    """Letters that may be wrong: none in a short name, one from 4 letters, two from 9."""
    letters = len(key)
    return 0 if letters < 4 else 1 if letters < 9 else 2


@dataclass(frozen=True)
class Found:
    commune: Commune
    via: FormerUnit | None = None  # the pre-2025 unit whose name matched, if not the commune's own


@dataclass(frozen=True)
class CommuneSearch:
    found: tuple[Found, ...] = ()
    district: District | None = None  # a former district the text names on its own

    @property
    def communes(self) -> list[Commune]:
        return [f.commune for f in self.found]


@dataclass(frozen=True)
class _Key:
    compact: str  # folded, without spaces: 'maipha'
    words: tuple[str, ...]
    commune: Commune
    via: FormerUnit | None
    district: str  # former district code of the name


class CommuneIndex:
    """Every name a commune has had, folded once; see `search` and `nearest`."""

    def __init__(self, districts: Sequence[District], communes: Sequence[Commune]) -> None:
        self.districts = tuple(districts)
        self.communes = tuple(communes)
        keys = []
        for commune in communes:
            keys.append(_key(commune.folded, commune, None, commune.former_district))
            keys.extend(_key(u.folded, commune, u, u.district) for u in commune.former)
        self._keys = tuple(keys)
        self._compacts = [k.compact for k in self._keys]
        self._districts = {_compact(d.folded): d for d in districts}
        self._district_keys = list(self._districts)

    def search(self, query: str) -> CommuneSearch:
        """Communes for a typed answer, best first: exact names, then names that start with or
        contain the text, then names one or two letters away. Current names come before
        pre-2025 ones. 'Name, district' keeps the names that were in that former district."""
        parts = [p for p in _SEPARATORS.split(fold(query)) if has_words(p)]
        if not parts:
            return CommuneSearch()
        head = parts[0]
        if head.startswith(_DISTRICT_PREFIXES):  # 'huyện Tràng Định': the district itself
            return CommuneSearch(district=self.district_named(head))
        district = next((d for p in parts[1:] if (d := self.district_named(p))), None)
        found = self._match(fold_unit_name(head), district)
        if not found and district is None:  # 'tan tien trang dinh': a district at the end
            found, district = self._split_trailing_district(head)
        named = self.district_named(head) if len(parts) == 1 else None
        return CommuneSearch(tuple(found), named)

    def district_named(self, text: str) -> District | None:
        key = _compact(fold_district_name(text))
        if not key:
            return None
        if key in self._districts:
            return self._districts[key]
        best = process.extractOne(
            key, self._district_keys, scorer=OSA.distance, score_cutoff=allowed_typos(key)
        )
        return self._districts[best[0]] if best else None

    def nearest(self, latitude: float, longitude: float) -> list[tuple[Commune, float]]:
        """Communes by distance of their centre from the point, nearest first, in km."""
        found = [
            (c, distance_km(latitude, longitude, *c.centre))
            for c in self.communes
            if c.centre is not None
        ]
        return sorted(found, key=lambda pair: pair[1])

    def _match(self, name: str, district: District | None) -> list[Found]:
        compact = _compact(name)
        if not compact:
            return []
        keys: tuple[_Key, ...] = self._keys
        if district is not None:
            inside = [k for k in self._keys if k.district == district.code]
            keys = tuple(inside) if any(_loosely(compact, name, k) for k in inside) else self._keys
        exact = [k for k in keys if k.compact == compact]
        if exact:
            return _unique(exact)
        partial = [k for k in keys if compact in k.compact]
        partial.sort(key=lambda k: not k.compact.startswith(compact))  # stable: prefixes first
        words = name.split()
        if len(words) > 1:  # 'kinh dong': every word, in any order
            seen = {id(k) for k in partial}
            partial += [k for k in keys if id(k) not in seen and all(w in k.words for w in words)]
        if partial:
            return _unique(partial)
        return _unique(self._close(compact, keys))

    def _close(self, compact: str, keys: Sequence[_Key]) -> list[_Key]:
        typos = allowed_typos(compact)
        if not typos:
            return []
        hits = process.extract(
            compact,
            self._compacts if keys is self._keys else [k.compact for k in keys],
            scorer=OSA.distance,
            score_cutoff=typos,
            limit=None,
        )
        if not hits:
            return []
        best = min(distance for _, distance, _ in hits)
        return [keys[index] for _, distance, index in hits if distance == best]

    def _split_trailing_district(self, text: str) -> tuple[list[Found], District | None]:
        words = fold_unit_name(text).split()
        for size in (1, 2, 3):
            if len(words) <= size:
                break
            district = self.district_named(" ".join(words[-size:]))
            if district is not None:
                found = self._match(" ".join(words[:-size]), district)
                if found:
                    return found, district
        return [], None


def _key(folded: str, commune: Commune, via: FormerUnit | None, district: str) -> _Key:
    return _Key(_compact(folded), tuple(folded.split()), commune, via, district)


def _compact(text: str) -> str:
    return text.replace(" ", "")


def _loosely(compact: str, name: str, key: _Key) -> bool:
    """Whether a key could match at all (exact, partial, or close), to decide a district filter."""
    if compact in key.compact or all(w in key.words for w in name.split()):
        return True
    typos = allowed_typos(compact)
    return bool(typos) and OSA.distance(compact, key.compact, score_cutoff=typos) <= typos


def _unique(keys: Iterable[_Key]) -> list[Found]:
    """One result per commune; its current name wins over a former one."""
    ordered = sorted(keys, key=lambda k: k.via is not None)
    seen: dict[str, Found] = {}
    for key in ordered:
        if key.commune.code not in seen:
            seen[key.commune.code] = Found(key.commune, key.via)
    return list(seen.values())


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(a))


@lru_cache(maxsize=4)
def _index(communes: tuple[Commune, ...]) -> CommuneIndex:
    return CommuneIndex((), communes)


def search_communes(communes: Sequence[Commune], query: str) -> list[Commune]:
    """Communes whose current or former name matches the query, best matches first.

    'dong kinh', 'Đông Kinh' and its decomposed (NFD) spelling all find Phường Đông Kinh.
    For callers that have only the communes (school import); the bot uses `Content.units`.
    """
    return _index(tuple(communes)).search(query).communes
