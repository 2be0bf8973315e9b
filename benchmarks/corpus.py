"""Generate a synthetic archive of Monitor-format articles for speed benchmarks.

Real Jamestown archives cannot be shipped with the repository, and speed depends on what the
text looks like: how long articles are, how many distinct words they hold (the term dictionary
keeps growing with the corpus, as in real news), how often names recur, and the shape msearch
parses (headline, publication line, citation, footer). So the generator mimics those: a
Zipf-distributed vocabulary of common English words, news words and a long tail of rare
(synthetic) words, mixed with people and places of Russia, the Caucasus and Central Asia.
Each article is about two topics and one region, so content words and names come in bursts
(``pipeline`` in about a third of the articles, not in all): query latency depends on how many
articles a query matches, and a flat vocabulary makes every query match most of the archive.

    python benchmarks/corpus.py N OUT [--seed S] [--jobs J]

Article ``i`` depends only on ``(seed, i)``, so a corpus is reproducible whatever the number
of worker processes, and the first M articles of a larger corpus are the M-article corpus.
Only the standard library is used, so the generator runs before anything is installed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import multiprocessing
import os
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

GENERATOR_VERSION = 2
"""Bumped when the output for a given seed changes, so kept corpora are regenerated."""

MANIFEST = "corpus.json"
"""Written last in OUT: its presence says the corpus is complete (see ``read_manifest``)."""

CHUNK = 500
"""Articles per work unit handed to a worker process."""


def _words(text: str) -> list[str]:
    return text.split()


FUNCTION_WORDS = _words("""
the of to and in a that is for on was by with as has it from be at his its an
are said not have which were this will but had been would also their they who more than after
he or its new one two could about other into over last since some there against all no can only
must now under such what when while them these those both most if may before during between
however because without whether three still any we our first well being very so just even much
up out do did does made make take took given give gave see seen know told say says
then here where how why who whom whose every each another same own different whole
""")

GENERAL_WORDS = _words("""
government officials country countries region regional leader leaders leadership political
politics policy policies power powers law laws decision decisions support supporters statement
announced declared stated reported according sources source news agency press media television
newspaper interview conference crisis conflict conflicts state states federal republic republics
rights human democracy democratic authorities authority administration regime international
organization organizations western eastern southern northern central union interests influence
pressure development plan plans strategy proposal proposals initiative initiatives report reports
document documents letter warned warning threat threats risk risks concern concerns criticized
criticism accused denied rejected refused agreed signed approved adopted passed proposed
suggested insisted demanded called urged expected planned intended decided considered claimed
week weeks month months year years day days today yesterday recently earlier later previous next
current former future major main key important significant serious old large small high low
strong weak full complete possible likely certain clear several many few situation problem
problems question questions issue issues answer response reaction move moves step steps effort
efforts attempt attempts role position positions view views control controlled access way part
place case point group number fact time times people work world life hand end line side level
term terms order face interest need needs means form forms kind public private sector society
civil citizens residents community history historical analyst analysts experts expert spokesman
adviser advisers committee council commission secretary chairman capital city cities local
national
""")

TOPICS = {
    name: _words(words)
    for name, words in {
        "energy": """oil gas pipeline pipelines energy export exports transit route routes field
            fields reserves production barrels consortium shareholders terminal tanker tankers
            refinery electricity company companies contract contracts deal deals project projects
            construction railway prices market tariff tariffs supply supplies volume volumes
            nuclear plant station stations equipment technology shipping transport""",
        "war": """military forces troops war army navy fleet officers soldiers commander
            commanders general generals operation operations attack attacks rebels militants
            fighters insurgents killed wounded casualties hostages shelling artillery tanks
            armored vehicles mines helicopter helicopters aircraft checkpoint checkpoints convoy
            raid raids units unit division divisions brigade regiment battalion headquarters
            ceasefire refugees displaced mountains gorge village villages exercises weapons
            missile missiles""",
        "politics": """parliament election elections opposition party parties vote votes voters
            candidate candidates campaign ballot results fraud observers referendum constitution
            constitutional deputies deputy speaker faction factions bloc coalition liberal
            liberals reformers conservative communist communists nationalist president
            presidential governor governors protest protests demonstration demonstrators
            students youth""",
        "diplomacy": """foreign minister ministry treaty agreement talks peace summit meeting
            meetings visit visited delegation delegations envoy ambassador embassy consulate
            diplomat diplomats diplomatic recognition relations bilateral cooperation partnership
            integration alliance membership member members dialogue mission negotiations
            negotiator mediation settlement sanctions aid assistance grant grants""",
        "economy": """economic economy reform reforms budget deficit debt loan loans credit bank
            banks banking currency inflation growth investment investors privatization tax taxes
            revenue revenues payments payment salary salaries wages pension pensions workers
            strike strikes unemployment poverty trade trading customs industry industrial
            agriculture agricultural harvest grain cotton water drought health education
            schools""",
        "crime": """police arrest arrested detained prison prisoners trial charges corruption
            investigation prosecutor prosecutors court crime criminal criminals gang organized
            mafia murder murdered assassination intelligence services special agents agent spy
            espionage arms smuggling trafficking drugs narcotics terrorism terrorist terrorists
            bomb bombing explosion kidnapping religious islamic muslim orthodox church clergy
            extremist extremists""",
        "sovereignty": """independence sovereignty territorial integrity separatist separatists
            autonomy autonomous border borders territory territories peacekeepers peacekeeping
            zone zones withdrawal withdraw deployment deployed base bases presence soviet
            post-soviet empire imperial ethnic minority population language languages russian
            russians georgian georgians azerbaijani armenian armenians ukrainian ukrainians
            kazakh uzbek kyrgyz tajik turkmen chechen chechens ossetian abkhaz""",
    }.items()
}
"""Words that come in bursts: an article is about one or two topics, so "pipeline" is frequent
in a fifth of the articles and rare in the rest, as in real news. Without topics every
content word turns up in half the articles, and every query matches most of the archive."""

PHRASES = {
    "energy": [
        "oil pipeline",
        "gas pipeline",
        "Main Export Pipeline",
        "natural gas",
        "Caspian Sea",
    ],
    "war": ["armed forces", "Black Sea Fleet", "border guards", "defense minister"],
    "politics": ["presidential election", "parliamentary elections", "State Duma"],
    "diplomacy": [
        "Collective Security Treaty",
        "foreign minister",
        "peace talks",
        "Security Council",
        "Commonwealth of Independent States",
    ],
    "economy": ["prime minister", "energy security", "World Bank"],
    "crime": ["human rights", "Interior Ministry", "special services"],
    "sovereignty": ["territorial integrity", "Collective Security Treaty", "peacekeeping forces"],
}
"""Set phrases per topic, so that phrase queries have something to find."""


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split("|") if name.strip()]


REGIONS = {
    name: _names(names)
    for name, names in {
        "caucasus": """Aliyev|Heydar Aliyev|Ilham Aliyev|Shevardnadze|Eduard Shevardnadze|
            Saakashvili|Mikheil Saakashvili|Abashidze|Aslan Abashidze|Ardzinba|Kokoity|Zhvania|
            Ter-Petrossian|Sarkisian|Kocharian|Robert Kocharian|Khalafov|Zulfugarov|Azimov|
            Baku|Tbilisi|Yerevan|Nagorno-Karabakh|Karabakh|Abkhazia|South Ossetia|Ajaria|Adjaria|
            Azerbaijan|Georgia|Armenia|Batumi|Sukhumi|Tskhinvali|Pankisi|Ceyhan|Supsa|Turkey|
            Ankara|Iran|Tehran|GUAM|SOCAR|BP|Chevron|Turan|Azad-Inform|Prime-News|Noyan Tapan""",
        "north caucasus": """Chechnya|Grozny|Maskhadov|Aslan Maskhadov|Basaev|Shamil Basaev|
            Kadyrov|Akhmad Kadyrov|Ramzan Kadyrov|Gantemirov|Zakayev|Udugov|Raduev|Khattab|
            Shamanov|Troshev|Kvashnin|Dagestan|Ingushetia|North Ossetia|Gudermes|Urus-Martan|
            Argun|Vedeno|Nalchik|Makhachkala|Vladikavkaz|Nazran|Khasavyurt|Kavkaz-Center|
            Chechenpress|Kavkazky Uzel""",
        "central asia": """Nazarbayev|Nursultan Nazarbayev|Karimov|Islam Karimov|Niyazov|
            Saparmurat Niyazov|Akayev|Askar Akayev|Rakhmonov|Tokaev|Bakiyev|Otunbayeva|
            Berdymukhammedov|Almaty|Astana|Tashkent|Bishkek|Dushanbe|Ashgabat|Kazakhstan|
            Uzbekistan|Kyrgyzstan|Tajikistan|Turkmenistan|Afghanistan|Ferghana|Osh|Andijan|
            Samarkand|Khujand|Kulob|Tengiz|Karachaganak|Taliban|Hizb-ut-Tahrir|
            Islamic Movement of Uzbekistan|Shanghai Cooperation Organization|Khabar|Uzreport|
            Asia-Plus|Kazakhstan Today""",
        "russia": """Putin|Vladimir Putin|Yeltsin|Boris Yeltsin|Primakov|Yevgeny Primakov|Ivanov|
            Sergei Ivanov|Chubais|Anatoly Chubais|Luzhkov|Lebed|Zyuganov|Chernomyrdin|Kasyanov|
            Berezovsky|Gusinsky|Khodorkovsky|Lavrov|Medvedev|Kiriyenko|Stepashin|Rushailo|
            Sergeyev|Moscow|Russia|Kremlin|Duma|Federation Council|Gazprom|Lukoil|Rosneft|Yukos|
            Transneft|FSB|GRU|Yabloko|Communist Party|Union of Right Forces|Fatherland-All Russia|
            Siberia|Tatarstan|Bashkortostan|Kaliningrad|Primorye|Vladivostok|St. Petersburg|
            Nizhny Novgorod|Yekaterinburg|Chukotka|Sakhalin|NTV|ORT|RTR|Kommersant|Izvestia|
            Nezavisimaya Gazeta|Segodnya|Vremya Novostei|Novaya Gazeta|Vedomosti""",
        "western cis": """Kuchma|Leonid Kuchma|Yushchenko|Tymoshenko|Lukashenka|Voronin|Smirnov|
            Kyiv|Kiev|Minsk|Chisinau|Transdniester|Crimea|Sevastopol|Ukraine|Belarus|Moldova|
            Baltic|NATO|European Union|OSCE|Brussels|Washington|IMF|World Bank""",
        "china": """Hu Jintao|Jiang Zemin|Beijing|China|Xinjiang|Taiwan|Hong Kong|Shanghai|
            People's Liberation Army|Politburo|Xinhua|People's Daily|Wen Jiabao|Zhu Rongji|
            Li Peng|Tibet|Urumqi|Guangdong""",
    }.items()
}
"""People, places and organisations by region: an article is about one region, so a name is
frequent in some articles and absent from most (names are the commonest queries)."""

SOURCES = _names("""Interfax|Itar-Tass|Turan|Azad-Inform|Prime-News|Kavkasia-Press|RIA Novosti|
NTV|ORT|RTR|Kommersant|Izvestia|Nezavisimaya Gazeta|Segodnya|Vremya Novostei|Khabar|
Kazakhstan Today|Reuters|AP|AFP|Xinhua|People's Daily|Radio Liberty|RFE/RL|BBC|Noyan Tapan|
Arminfo|Snark|Black Sea Press|Civil Georgia|Zerkalo|Ekho|Moscow Times|Novaya Gazeta|Vedomosti|
Gazeta.ru|Lenta.ru|Strana.ru|Kavkazky Uzel|Chechenpress|Kavkaz-Center|Infoshos|Uzreport|
Asia-Plus""")

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

SYLLABLES = _words("""ka ro vel min dar tus pre lo nik sha ber ton gal ri mo zen ul ar es im bra cor
dan fel gor hul jin kev lim mar nor pol quin ras sel tor ur vin wal yar zol ab ec id ob un
ment tion ing er ed al ous ive ic ist
""")


@dataclass(frozen=True)
class Publication:
    """A periodical: where its volume numbering starts and how often its issues appear."""

    name: str
    slug: str
    year_zero: int
    """Volume N appeared in year_zero + N (Monitor 1994, Eurasia Daily Monitor 2003)."""
    first_year: int
    last_year: int
    issues_per_year: int
    share: float
    footer_name: str


PUBLICATIONS = (
    Publication("Monitor", "monitor", 1994, 1995, 2002, 250, 0.35, "The Monitor"),
    Publication(
        "Eurasia Daily Monitor",
        "eurasia-daily-monitor",
        2003,
        2004,
        2023,
        250,
        0.4,
        "Eurasia Daily Monitor",
    ),
    Publication("China Brief", "china-brief", 2000, 2001, 2023, 24, 0.13, "China Brief"),
    Publication(
        "Terrorism Monitor", "terrorism-monitor", 2002, 2003, 2023, 24, 0.12, "Terrorism Monitor"
    ),
)

FOOTER = (
    "{name} is a publication of the Jamestown Foundation. It is researched and written under "
    "the direction of senior analysts Jonas Bernstein, Vladimir Socor, Stephen Foye, and "
    "analysts Ilya Malyakin, Oleg Varfolomeyev and Ilias Bogatyrev. If you have any questions "
    "regarding the content of {name}, please contact the foundation. If you would like "
    "information on subscribing to {name}, or have any comments, suggestions or questions, "
    "please contact us by e-mail at pubs@jamestown.org, by fax at 301-562-8021, or by postal "
    "mail at The Jamestown Foundation, 4516 43rd Street NW, Washington DC 20016. Unauthorized "
    "reproduction or redistribution of {name} is strictly prohibited by law. Copyright (c) "
    "1983-{year} The Jamestown Foundation Site Maintenance by Johnny Flash Productions"
)


# --- vocabulary -----------------------------------------------------------------------------


def _synthetic_words(count: int, rng: random.Random, taken: set[str]) -> list[str]:
    """Rare words for the long tail: real news has tens of thousands of words that occur a
    handful of times (names, jargon, misspellings), and they make the term dictionary grow."""
    words: list[str] = []
    while len(words) < count:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in taken:
            taken.add(word)
            words.append(word)
    return words


def zipf(count: int, exponent: float, offset: float = 2.7) -> list[float]:
    """Cumulative Zipf-Mandelbrot weights of ranks 0 .. count - 1 (for ``random.choices``)."""
    return list(itertools.accumulate(1.0 / (rank + offset) ** exponent for rank in range(count)))


def build_rare_words(count: int = 150_000) -> list[str]:
    """The long tail, the same for every seed: seeds give different articles in one language."""
    taken = set(FUNCTION_WORDS + GENERAL_WORDS)
    taken.update(word for words in TOPICS.values() for word in words)
    return _synthetic_words(count, random.Random(1729), taken)


@dataclass(frozen=True)
class Weighted:
    """Words with cumulative Zipf weights, ready for ``random.choices``."""

    words: list[str]
    weights: list[float]

    @classmethod
    def zipf(cls, words: list[str], exponent: float = 1.0, offset: float = 2.7) -> Weighted:
        return cls(words, zipf(len(words), exponent, offset))

    def draw(self, rng: random.Random, count: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.weights, k=count)


FUNCTION = Weighted.zipf(FUNCTION_WORDS)
GENERAL = Weighted.zipf(GENERAL_WORDS)
TOPICAL = {name: Weighted.zipf(words) for name, words in TOPICS.items()}
RARE = Weighted.zipf(build_rare_words(), offset=10.0)
NAMES = {region: Weighted.zipf(names, 0.9, 1.0) for region, names in REGIONS.items()}
REGION_SHARES = {
    "caucasus": 0.3,
    "north caucasus": 0.15,
    "central asia": 0.2,
    "russia": 0.22,
    "western cis": 0.1,
    "china": 0.03,
}

SHARES = {"function": 0.45, "general": 0.22, "topic": 0.18, "rare": 0.15}
"""Running words by kind; ~15% rare words, as in news text outside its few thousand commonest
words. The topic share is split 70/30 between an article's two topics."""


# --- one article ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    publication: Publication
    volume: int
    issue: int
    date: dt.date


@dataclass(frozen=True)
class Subject:
    """What an article is about: which topical words and which names come in bursts."""

    topics: tuple[str, str]
    region: str


def pick_issue(rng: random.Random) -> Issue:
    """A publication, a date in one of its years, and the volume and issue that go with them."""
    publication = rng.choices(PUBLICATIONS, weights=[p.share for p in PUBLICATIONS])[0]
    year = rng.randint(publication.first_year, publication.last_year)
    date = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
    day_of_year = date.timetuple().tm_yday
    issue = 1 + (day_of_year - 1) * publication.issues_per_year // 366
    return Issue(publication, year - publication.year_zero, issue, date)


def pick_subject(rng: random.Random, publication: Publication) -> Subject:
    """Two different topics and a region (China Brief writes mostly about China)."""
    first, second = rng.sample(sorted(TOPICS), 2)
    if publication.slug == "china-brief" and rng.random() < 0.8:
        return Subject((first, second), "china")
    regions = list(REGION_SHARES)
    region = rng.choices(regions, weights=[REGION_SHARES[r] for r in regions])[0]
    return Subject((first, second), region)


def _name(rng: random.Random, subject: Subject) -> str:
    """Mostly a name of the article's region, sometimes one from anywhere."""
    region = subject.region if rng.random() < 0.85 else rng.choice(sorted(REGIONS))
    return NAMES[region].draw(rng, 1)[0]


def _phrase(rng: random.Random, subject: Subject) -> str:
    topic = subject.topics[0] if rng.random() < 0.8 else rng.choice(sorted(PHRASES))
    return rng.choice(PHRASES[topic])


def _figure(rng: random.Random) -> str:
    return rng.choice(
        [
            f"{rng.randint(2, 99)} percent",
            f"${rng.randint(1, 9)}.{rng.randint(0, 9)} billion",
            str(rng.randint(1990, 2008)),
        ]
    )


def sentence(rng: random.Random, words: list[str], subject: Subject) -> str:
    """One sentence around ``words``: perhaps a name as subject, names and set phrases inside,
    commas, a figure or a quotation now and then."""
    words = list(words)
    if rng.random() < 0.25:
        possessive = "'s" if rng.random() < 0.15 else ""
        words.insert(rng.randrange(len(words) + 1), _name(rng, subject) + possessive)
    if rng.random() < 0.1:
        words.insert(rng.randrange(len(words) + 1), _phrase(rng, subject))
    if rng.random() < 0.1:
        words.insert(rng.randrange(len(words) + 1), _figure(rng))
    for _ in range(len(words) // 9):
        i = rng.randrange(1, len(words))
        words[i - 1] += ","
    if rng.random() < 0.06 and len(words) > 6:
        start = rng.randrange(2, len(words) - 3)
        words[start] = "“" + words[start]
        words[start + 2] = words[start + 2].rstrip(",") + "”"
    if rng.random() < 0.2:
        words.insert(0, _name(rng, subject))
    text = " ".join(words).rstrip(",")
    return text[0].upper() + text[1:] + "."


def word_pool(rng: random.Random, subject: Subject, count: int) -> list[str]:
    """``count`` running words mixed by kind (see SHARES), shuffled."""
    rare = int(count * SHARES["rare"])
    topical = int(count * SHARES["topic"])
    general = int(count * SHARES["general"])
    primary = int(topical * 0.7)
    pool = FUNCTION.draw(rng, count - rare - topical - general)
    pool += GENERAL.draw(rng, general)
    pool += TOPICAL[subject.topics[0]].draw(rng, primary)
    pool += TOPICAL[subject.topics[1]].draw(rng, topical - primary)
    pool += RARE.draw(rng, rare)
    rng.shuffle(pool)
    return pool


def body_paragraphs(rng: random.Random, subject: Subject, word_count: int) -> list[str]:
    """Paragraphs of 3-7 sentences of 6-28 words, ``word_count`` vocabulary words in all."""
    pool = word_pool(rng, subject, word_count)
    sentences: list[str] = []
    position = 0
    while position < word_count:
        length = rng.randint(6, 28)
        sentences.append(sentence(rng, pool[position : position + length], subject))
        position += length
    paragraphs: list[str] = []
    while sentences:
        size = rng.randint(3, 7)
        paragraphs.append(" ".join(sentences[:size]))
        del sentences[:size]
    return paragraphs


def headline(rng: random.Random, subject: Subject) -> str:
    """Capitals, 4-11 words around a name; sometimes wrapped onto a second line."""
    words = TOPICAL[subject.topics[0]].draw(rng, rng.randint(2, 5))
    words += GENERAL.draw(rng, rng.randint(1, 5))
    rng.shuffle(words)
    words.insert(rng.randrange(len(words) + 1), _name(rng, subject))
    text = " ".join(words).upper() + ("." if rng.random() < 0.5 else "")
    if rng.random() < 0.15 and len(words) > 4:
        cut = len(words) // 2
        parts = text.split(" ")
        text = " ".join(parts[:cut]) + "\n" + " ".join(parts[cut:])
    return text


def citation(rng: random.Random, issue: Issue) -> str:
    """The closing source citation: agencies and the days they reported on."""
    sources = list(dict.fromkeys(rng.choices(SOURCES[:20] * 3 + SOURCES, k=rng.randint(1, 4))))
    day = issue.date - dt.timedelta(days=rng.randint(0, 2))
    when = f"{MONTHS[day.month - 1]} {day.day}"
    if rng.random() < 0.4 and day.day < 28:
        when += f"-{day.day + 1}"
    if issue.publication.year_zero not in (1994, 2003):
        when += f", {day.year}"  # parsers get the year of weeklies from the citation only
    text = ", ".join([*sources, when])
    if issue.publication.name == "Monitor" and rng.random() < 0.2:
        text += f"; see also the Monitor, {MONTHS[day.month - 1]} {max(1, day.day - 1)}"
    return f"({text})"


def article(seed: int, number: int) -> tuple[str, str]:
    """Article ``number`` of the corpus for ``seed``: its relative path and its text."""
    rng = random.Random(f"{seed}/{number}")
    issue = pick_issue(rng)
    publication = issue.publication
    subject = pick_subject(rng, publication)
    paragraphs = body_paragraphs(rng, subject, rng.randint(300, 800))
    paragraphs[-1] = paragraphs[-1][:-1] + " " + citation(rng, issue) + "."
    parts = [headline(rng, subject)]
    if rng.random() < 0.95:
        parts.append(f"Publication: {publication.name} Volume: {issue.volume} Issue: {issue.issue}")
    parts += paragraphs
    copyright_year = 2002 if publication.name == "Monitor" else issue.date.year
    parts.append(FOOTER.format(name=publication.footer_name, year=copyright_year))
    text = "\n\n".join(parts) + "\n"
    if rng.random() < 0.03:
        text = text.replace("\n", "\r\n")  # files saved on Windows
    if rng.random() < 0.01:
        text = "\ufeff" + text  # ...some with a byte-order mark
    name = f"{number:06d}_{rng.getrandbits(64):016x}.txt"
    return f"{publication.slug}/{issue.date.year}/{name}", text


# --- the corpus -----------------------------------------------------------------------------


def _write_chunk(job: tuple[int, str, int, int]) -> int:
    """Write articles ``start`` to ``stop`` - 1 under ``out``; the number of bytes written."""
    seed, out, start, stop = job
    made: set[str] = set()
    written = 0
    for number in range(start, stop):
        relative, text = article(seed, number)
        folder = os.path.join(out, os.path.dirname(relative))
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        data = text.encode("utf-8")
        with open(os.path.join(out, relative), "wb") as handle:
            handle.write(data)
        written += len(data)
    return written


def _chunks(seed: int, out: Path, count: int) -> Iterator[tuple[int, str, int, int]]:
    for start in range(0, count, CHUNK):
        yield seed, str(out), start, min(count, start + CHUNK)


def generate(count: int, out: Path, *, seed: int = 0, jobs: int | None = None) -> dict:
    """Write ``count`` articles under ``out`` (in parallel), then the manifest (which holds
    nothing run-dependent, so equal seeds give byte-identical folders); the manifest with
    the seconds taken."""
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    (out / MANIFEST).unlink(missing_ok=True)
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1:
        written = sum(map(_write_chunk, _chunks(seed, out, count)))
    else:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            written = sum(pool.imap_unordered(_write_chunk, _chunks(seed, out, count)))
    manifest = {
        "articles": count,
        "seed": seed,
        "bytes": written,
        "generator": GENERATOR_VERSION,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return {**manifest, "seconds": round(time.perf_counter() - started, 2)}


def read_manifest(out: Path) -> dict | None:
    """The manifest of a complete corpus in ``out`` made by this generator version, or None."""
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if manifest.get("generator") == GENERATOR_VERSION else None


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, metavar="N", help="number of articles")
    parser.add_argument("out", type=Path, metavar="OUT", help="folder to write them to")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default: 0)")
    parser.add_argument("--jobs", type=int, help="worker processes (default: CPU count)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    manifest = generate(args.count, args.out, seed=args.seed, jobs=args.jobs)
    print(
        f"{manifest['articles']:,} articles, {manifest['bytes'] / 2**20:.1f} MB "
        f"in {manifest['seconds']:.1f} s -> {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
