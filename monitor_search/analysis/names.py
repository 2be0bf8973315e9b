"""Fold the many English spellings of a Russian, Caucasian or Central Asian name into one key.

Reporting transliterates the same name many ways: Chechnya / Chechnia, Kyiv / Kiev,
Dagestan / Daghestan, Tofig / Tofik, Nazarbaev / Nazarbayev, Khodorkovsky / Khodorkovskiy,
Yeltsin / Eltsin, Schewardnadse / Shevardnadze. The differences follow a few general rules
of transliteration, not a list of names:

1. Letters of other alphabets are spelled out first: Cyrillic by the usual English
   transliteration (Киев -> kiev, Жванецкий -> zhvanetskiy), Azerbaijani and Turkish
   letters by their sounds (ş -> sh, ç -> ch, ğ -> g, ı -> i, ə -> a); other accents drop.
2. Azerbaijani ``q`` between vowels is ``g`` (Zulfuqarov = Zulfugarov). Spellings of one
   sound become one: dzh, dj and zh -> j; kh -> h; gh -> g; ph -> f;
   sch -> sh (German); tch -> ch (French); w -> v; q -> k; x -> ks; ck -> k; z -> s.
3. Vowels (a e i o u and y) are where systems disagree most (ya/ia, iy/y, ye/e, aye/ae,
   yi/ie), so every run of them becomes one vowel, a.
4. Doubled consonants become single (Abkhazzia -> Abkhazia).
5. A final consonant loses its voice, as in Russian and Azerbaijani speech and in the
   spellings that follow it: b -> p, d -> t, g -> k, v -> f (Tofig = Tofik, Kiev = Kyiv).

The key is used only as an extra, lower-weighted way to match *names*. At index time only
words that look like names get one: capitalised (not all capitals, not a stop word), and
either inside a sentence or, at the start of one, long enough (LONG_KEY) not to collide with
other words. At query time see ``search.query.wants_variants``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

NAME_MARK = "="
"""Prefix of the second term indexed for each name: the spelling itself, lower-cased, so a
query can tell whether the archive uses a word as a name (``=kiev``)."""

MIN_KEY_LETTERS = 3
"""Shorter words get no key: too many names would share it."""

LONG_KEY = 5
"""Keys this long rarely belong to two different words (short ones do: Mass, Miss, Moss all
fold to ``mas``), so a word is trusted to be a name on less evidence when its key is long."""

_LETTERS = {
    # Cyrillic (Russian, with Ukrainian and Kazakh extras), lower case
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ә": "a", "ғ": "g", "қ": "k",
    "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h",
    # Azerbaijani, Turkish, Turkmen, Uzbek Latin letters spelled by sound
    "ş": "sh", "ç": "ch", "ğ": "g", "ı": "i", "ə": "a", "ž": "zh", "š": "sh", "č": "ch",
    "ň": "n", "ý": "y", "ä": "a", "ö": "o", "ü": "u",
}  # fmt: skip
_SOUNDS = [
    ("dzh", "j"), ("dj", "j"), ("zh", "j"), ("kh", "h"), ("gh", "g"), ("ph", "f"),
    ("sch", "sh"), ("tch", "ch"), ("ck", "k"), ("w", "v"), ("q", "k"), ("x", "ks"), ("z", "s"),
]  # fmt: skip
_VOICED_Q = re.compile(r"(?<=[aeiouy])q(?=[aeiouy])")
"""Azerbaijani ``q`` between vowels, which English texts write ``g`` (Zulfuqarov =
Zulfugarov); elsewhere ``q`` is ``k`` (Iraq, Qatar)."""
_VOWEL_RUN = re.compile(r"[aeiouy]+")
_DOUBLE = re.compile(r"([b-df-hj-np-tv-z])\1+")
_DEVOICED = {"b": "p", "d": "t", "g": "k", "v": "f"}
_NOT_LETTER = re.compile(r"[^a-z]")


@lru_cache(maxsize=200_000)
def name_key(word: str) -> str | None:
    """The transliteration-folded key of ``word``, or None for words too short to key.
    Remembered: indexing asks for the same capitalised words (sentence openers) again and
    again."""
    latin = _to_latin(word.lower())
    if len(latin) < MIN_KEY_LETTERS:
        return None
    latin = _VOICED_Q.sub("g", latin)
    for spelling, sound in _SOUNDS:
        latin = latin.replace(spelling, sound)
    key = _DOUBLE.sub(r"\1", _VOWEL_RUN.sub("a", latin))
    return key[:-1] + _DEVOICED.get(key[-1], key[-1])


def _to_latin(word: str) -> str:
    spelled = "".join(_LETTERS.get(char, char) for char in word)
    decomposed = unicodedata.normalize("NFKD", spelled)
    return _NOT_LETTER.sub("", "".join(c for c in decomposed if not unicodedata.combining(c)))
