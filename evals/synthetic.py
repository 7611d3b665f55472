"""A seeded, offline generator of resolution-like text, for benchmarking at sizes no real corpus has.

The real corpus holds ~10,000 paragraphs; the questions `reso bench` must answer (how fast is
ingest, how big is the index, how slow do answers get, how much memory does the server need) are
about 10k and 100k paragraphs. So this module writes resolutions that stress the index the way
real ones do: Human Rights Council, General Assembly and Security Council documents, each in
English and French with aligned paragraph ids (PP<n>, OP<n>), preambular paragraphs opening on a
participle and operative ones on a verb, paragraph lengths drawn from the real corpus's
distribution, and a UN vocabulary, so that BM25 statistics, the dense index and the chunk
metadata look like production. It is deterministic for a seed (`random.Random(seed)`), needs no
network and no files, and yields `Resolution` objects that `Ingestor.ingest_resolution` takes
directly.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from reso.index.model import Body, Paragraph, Resolution, Vote

# Words per paragraph (top-level paragraph with its sub-paragraphs), measured once on the 138
# UNxml resolutions of ../shared/corpus (4,950 paragraphs per language) at these quantiles; the
# 1.0 quantile is capped, the real maximum (2,000+ words) being a handful of annex-like outliers.
QUANTILES = (0.0, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99, 1.0)
LENGTHS = {
    "en": (4, 21, 34, 52, 78, 110, 138, 252, 600),
    "fr": (5, 24, 40, 63, 93, 135, 170, 319, 750),
}
PARAGRAPHS_PER_RESOLUTION = (10, 60)
BODY_SHARES: tuple[tuple[Body, float], ...] = (("HRC", 0.48), ("SC", 0.36), ("GA", 0.16))  # as in the corpus
PREAMBULAR_SHARE = (0.25, 0.5)

BODY_SUBJECT = {
    "en": {"HRC": "The Human Rights Council", "GA": "The General Assembly", "SC": "The Security Council"},
    "fr": {"HRC": "Le Conseil des droits de l’homme", "GA": "L’Assemblée générale", "SC": "Le Conseil de sécurité"},
}

TOPICS = (
    ("Human rights and climate change", "Droits de l’homme et changements climatiques"),
    ("The right to education", "Le droit à l’éducation"),
    ("The right to food", "Le droit à l’alimentation"),
    ("Freedom of opinion and expression", "Liberté d’opinion et d’expression"),
    ("Rights of persons with disabilities", "Droits des personnes handicapées"),
    ("The safety of journalists", "La sécurité des journalistes"),
    ("Elimination of violence against women", "Élimination de la violence à l’égard des femmes"),
    ("Rights of the child", "Droits de l’enfant"),
    ("Human rights defenders", "Défenseurs des droits de l’homme"),
    ("Contemporary forms of slavery", "Formes contemporaines d’esclavage"),
    ("The situation in Somalia", "La situation en Somalie"),
    ("Reports of the Secretary-General on the Sudan", "Rapports du Secrétaire général sur le Soudan"),
    ("Maintenance of international peace and security", "Maintien de la paix et de la sécurité internationales"),
    ("Non-proliferation", "Non-prolifération"),
    ("Threats to international peace and security caused by terrorist acts",
     "Menaces contre la paix et la sécurité internationales résultant d’actes de terrorisme"),
    ("The situation in the Middle East", "La situation au Moyen-Orient"),
    ("Protection of civilians in armed conflict", "Protection des civils en période de conflit armé"),
    ("Children and armed conflict", "Le sort des enfants en temps de conflit armé"),
    ("Women and peace and security", "Les femmes et la paix et la sécurité"),
    ("Question of the realization of economic, social and cultural rights",
     "Question de la réalisation des droits économiques, sociaux et culturels"),
    ("The right to development", "Le droit au développement"),
    ("Human rights and indigenous peoples", "Les droits de l’homme et les peuples autochtones"),
    ("Enforced or involuntary disappearances", "Disparitions forcées ou involontaires"),
    ("The right to privacy in the digital age", "Le droit à la vie privée à l’ère du numérique"),
    ("Access to medicines and vaccines", "Accès aux médicaments et aux vaccins"),
    ("Promotion of a democratic and equitable international order",
     "Promotion d’un ordre international démocratique et équitable"),
    ("Oceans and the law of the sea", "Les océans et le droit de la mer"),
    ("Humanitarian assistance", "Assistance humanitaire"),
    ("Strengthening of the United Nations system", "Renforcement du système des Nations Unies"),
    ("Cooperation with the Office of the High Commissioner", "Coopération avec le Haut-Commissariat"),
)

PREAMBULAR = {
    "en": (
        "Recalling", "Reaffirming", "Recognizing", "Noting", "Taking note of", "Welcoming", "Expressing concern",
        "Deeply concerned", "Gravely concerned", "Bearing in mind", "Emphasizing", "Stressing", "Acknowledging",
        "Mindful", "Guided by", "Convinced", "Determined", "Underlining", "Expressing appreciation",
        "Noting with concern", "Condemning", "Deploring", "Alarmed", "Considering", "Having considered",
        "Taking into account", "Further recalling", "Also reaffirming", "Encouraged", "Reiterating",
    ),
    "fr": (
        "Rappelant", "Réaffirmant", "Reconnaissant", "Notant", "Prenant note de", "Se félicitant de",
        "Se déclarant préoccupé", "Profondément préoccupé", "Gravement préoccupé", "Ayant à l’esprit", "Soulignant",
        "Insistant sur", "Conscient", "Guidé par", "Convaincu", "Résolu", "Mettant en relief", "Sachant gré",
        "Notant avec préoccupation", "Condamnant", "Déplorant", "Alarmé", "Considérant", "Ayant examiné",
        "Tenant compte de", "Rappelant également", "Réaffirmant en outre", "Encouragé", "Réitérant", "Constatant",
    ),
}

OPERATIVE = {
    "en": (
        "Requests", "Decides", "Calls upon", "Urges", "Encourages", "Invites", "Welcomes", "Reaffirms",
        "Condemns", "Demands", "Emphasizes", "Stresses", "Recommends", "Expresses its deep concern",
        "Takes note", "Acknowledges", "Underlines", "Further requests", "Also decides", "Authorizes",
        "Reiterates", "Endorses", "Notes with appreciation", "Strongly condemns", "Appeals", "Requests also",
        "Decides to remain seized of the matter", "Affirms", "Calls for", "Commends",
    ),
    "fr": (
        "Prie", "Décide", "Demande", "Engage instamment", "Encourage", "Invite", "Se félicite", "Réaffirme",
        "Condamne", "Exige", "Souligne", "Insiste", "Recommande", "Se déclare profondément préoccupé",
        "Prend note", "Constate", "Met l’accent", "Prie en outre", "Décide également", "Autorise", "Réitère",
        "Approuve", "Note avec satisfaction", "Condamne fermement", "Lance un appel", "Prie également",
        "Décide de rester saisi de la question", "Affirme", "Préconise", "Salue",
    ),
}

ACTORS = {
    "en": (
        "the Secretary-General", "the United Nations High Commissioner for Human Rights", "all States",
        "Member States", "the Office of the High Commissioner", "the Special Rapporteur", "the Working Group",
        "the international community", "all parties", "the Government", "civil society organizations",
        "national human rights institutions", "the treaty bodies", "relevant United Nations agencies",
        "the Independent Expert", "regional organizations", "the Peacebuilding Commission", "the Mission",
        "donor countries", "the African Union", "the Committee", "United Nations entities",
    ),
    "fr": (
        "le Secrétaire général", "le Haut-Commissaire des Nations Unies aux droits de l’homme", "tous les États",
        "les États Membres", "le Haut-Commissariat", "le Rapporteur spécial", "le Groupe de travail",
        "la communauté internationale", "toutes les parties", "le Gouvernement",
        "les organisations de la société civile", "les institutions nationales des droits de l’homme",
        "les organes conventionnels", "les organismes compétents des Nations Unies", "l’Expert indépendant",
        "les organisations régionales", "la Commission de consolidation de la paix", "la Mission",
        "les pays donateurs", "l’Union africaine", "le Comité", "les entités des Nations Unies",
    ),
}

NOUNS = {
    "en": (
        "rights", "protection", "promotion", "implementation", "report", "resolution", "mandate", "session",
        "cooperation", "assistance", "development", "security", "peace", "violence", "women", "children",
        "persons", "victims", "perpetrators", "accountability", "justice", "impunity", "discrimination",
        "equality", "participation", "access", "education", "health", "food", "water", "sanitation", "housing",
        "environment", "climate", "migration", "refugees", "detention", "torture", "freedom", "expression",
        "assembly", "association", "religion", "belief", "privacy", "information", "technology", "elections",
        "democracy", "governance", "institutions", "capacity", "resources", "funding", "contributions",
        "mechanisms", "procedures", "recommendations", "obligations", "commitments", "principles", "measures",
        "legislation", "policies", "programmes", "strategies", "dialogue", "consultations", "negotiations",
        "ceasefire", "sanctions", "embargo", "arms", "weapons", "troops", "personnel", "operations", "mission",
        "stabilization", "reconciliation", "reconstruction", "elections", "transition", "humanitarian", "aid",
        "civilians", "population", "communities", "minorities", "indigenous", "migrants", "workers", "journalists",
        "defenders", "servants", "panel", "discussion", "workshop", "seminar", "study", "compilation", "summary",
        "deadline", "period", "months", "year", "biennium", "budget", "fund", "trust", "secretariat", "website",
        "territory", "region", "borders", "sovereignty", "integrity", "independence", "unity", "law", "charter",
        "convention", "covenant", "declaration", "protocol", "agenda", "goals", "targets", "indicators", "data",
        "statistics", "monitoring", "evaluation", "review", "follow-up", "progress", "challenges", "gaps",
        "poverty", "inequality", "pandemic", "vaccines", "medicines", "disasters", "conflict", "terrorism",
        "extremism", "trafficking", "exploitation", "abuse", "harassment", "hate", "speech", "incitement",
    ),
    "fr": (
        "droits", "protection", "promotion", "mise", "œuvre", "rapport", "résolution", "mandat", "session",
        "coopération", "assistance", "développement", "sécurité", "paix", "violence", "femmes", "enfants",
        "personnes", "victimes", "auteurs", "responsabilité", "justice", "impunité", "discrimination", "égalité",
        "participation", "accès", "éducation", "santé", "alimentation", "eau", "assainissement", "logement",
        "environnement", "climat", "migration", "réfugiés", "détention", "torture", "liberté", "expression",
        "réunion", "association", "religion", "conviction", "vie", "privée", "information", "technologies",
        "élections", "démocratie", "gouvernance", "institutions", "capacités", "ressources", "financement",
        "contributions", "mécanismes", "procédures", "recommandations", "obligations", "engagements", "principes",
        "mesures", "législation", "politiques", "programmes", "stratégies", "dialogue", "consultations",
        "négociations", "cessez-le-feu", "sanctions", "embargo", "armes", "troupes", "personnel", "opérations",
        "mission", "stabilisation", "réconciliation", "reconstruction", "transition", "humanitaire", "aide",
        "civils", "population", "communautés", "minorités", "autochtones", "migrants", "travailleurs",
        "journalistes", "défenseurs", "fonctionnaires", "réunion-débat", "atelier", "séminaire", "étude",
        "compilation", "résumé", "délai", "période", "mois", "année", "exercice", "biennal", "budget", "fonds",
        "affectation", "spéciale", "secrétariat", "site", "territoire", "région", "frontières", "souveraineté",
        "intégrité", "indépendance", "unité", "droit", "charte", "convention", "pacte", "déclaration", "protocole",
        "programme", "objectifs", "cibles", "indicateurs", "données", "statistiques", "suivi", "évaluation",
        "examen", "progrès", "difficultés", "lacunes", "pauvreté", "inégalités", "pandémie", "vaccins",
        "médicaments", "catastrophes", "conflit", "terrorisme", "extrémisme", "traite", "exploitation", "abus",
        "harcèlement", "haine", "discours", "incitation",
    ),
}

ADJECTIVES = {
    "en": (
        "international", "national", "regional", "human", "economic", "social", "cultural", "civil", "political",
        "effective", "full", "universal", "independent", "impartial", "transparent", "sustainable", "inclusive",
        "comprehensive", "voluntary", "relevant", "appropriate", "necessary", "urgent", "serious", "systematic",
        "gross", "armed", "sexual", "gender-based", "legal", "judicial", "technical", "financial", "adequate",
        "annual", "comprehensive", "thematic", "interactive", "intersessional", "half-day", "fundamental",
        "democratic", "equitable", "peaceful", "constructive", "meaningful", "safe", "enabling", "digital",
    ),
    "fr": (
        "internationale", "nationaux", "régionales", "humains", "économiques", "sociaux", "culturels", "civils",
        "politiques", "effective", "pleine", "universelle", "indépendante", "impartiale", "transparente",
        "durable", "inclusive", "globale", "volontaires", "compétents", "appropriées", "nécessaires", "urgente",
        "graves", "systématiques", "flagrantes", "armés", "sexuelles", "fondée", "juridique", "judiciaires",
        "technique", "financière", "suffisantes", "annuel", "thématique", "interactif", "intersessions",
        "demi-journée", "fondamentales", "démocratique", "équitable", "pacifique", "constructif", "véritable",
        "sûr", "favorable", "numérique", "spécial", "permanent",
    ),
}

LINKS = {
    "en": ("of", "of the", "and", "for", "in", "to", "with", "on", "by", "including", "in particular",
           "at its", "within", "through", "as well as", "against", "the", "the", "the", "all", "its", "their"),
    "fr": ("de", "des", "du", "de la", "et", "pour", "dans", "à", "avec", "sur", "par", "notamment",
           "en particulier", "à sa", "au sein", "grâce à", "ainsi que", "contre", "les", "le", "la", "tous",
           "ses", "leurs"),
}

PLACES = {
    "en": ("Somalia", "the Sudan", "South Sudan", "Libya", "Mali", "Haiti", "Afghanistan", "Yemen", "Syria",
           "the Democratic Republic of the Congo", "the Central African Republic", "Iraq", "Cyprus", "Lebanon",
           "Colombia", "Myanmar", "Burundi", "Eritrea", "Belarus", "Ukraine", "Geneva", "New York"),
    "fr": ("la Somalie", "le Soudan", "le Soudan du Sud", "la Libye", "le Mali", "Haïti", "l’Afghanistan",
           "le Yémen", "la Syrie", "la République démocratique du Congo", "la République centrafricaine", "l’Iraq",
           "Chypre", "le Liban", "la Colombie", "le Myanmar", "le Burundi", "l’Érythrée", "le Bélarus", "l’Ukraine",
           "Genève", "New York"),
}

MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
}

SUB_LABELS = "abcdefgh"


@dataclass(frozen=True)
class DocumentPlan:
    """What both language versions of one resolution share: symbol, date, topic, shape."""

    body: Body
    symbol: str
    number: str
    session: str | None
    adopted: date
    topic: int
    preambular: int
    operative: int


def generate(chunks: int, seed: int = 0) -> Iterator[Resolution]:
    """Resolutions (English, then French, of each document) holding exactly `chunks` paragraphs.

    When one paragraph is left over, the last document has an English version only.
    """
    rng = random.Random(seed)
    counters = {"HRC": (rng.randint(10, 40), rng.randint(1, 5)), "GA": (rng.randint(55, 70), rng.randint(1, 50)),
                "SC": (rng.randint(1500, 2300), 0)}
    left = max(1, chunks)
    while left > 0:
        plan = _plan(rng, counters, left)
        languages = ("en", "fr") if left > 1 else ("en",)
        left -= len(languages) * (plan.preambular + plan.operative)
        for language in languages:
            yield _resolution(rng, plan, language)


def _plan(rng: random.Random, counters: dict[str, tuple[int, int]], left: int) -> DocumentPlan:
    body = _pick_body(rng)
    symbol, number, session, adopted = _next_symbol(rng, body, counters)
    per_language = max(1, min(rng.randint(*PARAGRAPHS_PER_RESOLUTION), left // 2))
    preambular = min(per_language - 1, round(per_language * rng.uniform(*PREAMBULAR_SHARE)))
    return DocumentPlan(body, symbol, number, session, adopted, rng.randrange(len(TOPICS)),
                        preambular, per_language - preambular)


def _pick_body(rng: random.Random) -> Body:
    x = rng.random()
    for body, share in BODY_SHARES:
        if x < share:
            return body
        x -= share
    return BODY_SHARES[-1][0]


def _next_symbol(rng: random.Random, body: Body, counters: dict[str, tuple[int, int]]) -> tuple[str, str, str | None, date]:
    """Symbols advance like the real series, so every document is distinct however many are made."""
    session, n = counters[body]
    if body == "SC":
        n = session + 1
        counters[body] = (n, 0)
        year = 1994 + n // 60
        return f"S/RES/{n} ({year})", str(n), None, _date(rng, year)
    n += 1
    if n > (60 if body == "HRC" else 300):
        session, n = session + 1, 1
    counters[body] = (session, n)
    year = (2006 + session // 3) if body == "HRC" else (1945 + session)
    prefix = "A/HRC/RES" if body == "HRC" else "A/RES"
    return f"{prefix}/{session}/{n}", f"{session}/{n}", str(session), _date(rng, year)


def _date(rng: random.Random, year: int) -> date:
    return date(year, rng.randint(1, 12), rng.randint(1, 28))


def _resolution(rng: random.Random, plan: DocumentPlan, language: str) -> Resolution:
    paragraphs = [_paragraph(rng, "preambular", i + 1, language) for i in range(plan.preambular)]
    paragraphs += [_paragraph(rng, "operative", i + 1, language) for i in range(plan.operative)]
    return Resolution(
        symbol=plan.symbol,
        body=plan.body,
        language=language,
        title=TOPICS[plan.topic][0 if language == "en" else 1],
        session=plan.session,
        number=plan.number,
        adopted=plan.adopted,
        meeting=f"{rng.randint(20, 9500)}{'th meeting' if language == 'en' else 'e séance'}",
        vote=Vote(outcome="without_vote" if plan.body != "SC" else "unanimous"),
        subjects=[TOPICS[plan.topic][0]],
        paragraphs=paragraphs,
        source=f"synthetic:{plan.symbol}:{language}",
    )


def _paragraph(rng: random.Random, kind: str, n: int, language: str) -> Paragraph:
    words = _length(rng, language)
    children: list[Paragraph] = []
    if kind == "operative" and words > 90 and rng.random() < 0.4:
        parts = rng.randint(2, min(6, len(SUB_LABELS)))
        share = words // (parts + 1)
        children = [
            Paragraph(pid=f"OP{n}({SUB_LABELS[i]})", kind="subparagraph", number=f"({SUB_LABELS[i]})",
                      text=_clause(rng, language, share) + ";")
            for i in range(parts)
        ]
        words = share
    if kind == "preambular":
        return Paragraph(pid=f"PP{n}", kind="preambular", text=f"{rng.choice(PREAMBULAR[language])} "
                         f"{_opening(rng, language)}{_clause(rng, language, words)},")
    verb = rng.choice(OPERATIVE[language])
    actor = rng.choice(ACTORS[language])
    return Paragraph(pid=f"OP{n}", kind="operative", number=str(n), children=children,
                     text=f"{verb} {actor} {_clause(rng, language, words)}{':' if children else ';'}")


def _length(rng: random.Random, language: str) -> int:
    """A length drawn from the measured quantiles, linear in between."""
    x = rng.random()
    table = LENGTHS[language]
    for i in range(1, len(QUANTILES)):
        if x <= QUANTILES[i]:
            lo, hi = QUANTILES[i - 1], QUANTILES[i]
            return max(3, round(table[i - 1] + (table[i] - table[i - 1]) * (x - lo) / (hi - lo)))
    return table[-1]


def _opening(rng: random.Random, language: str) -> str:
    """Now and then the references real paragraphs carry: a resolution and its date, a place."""
    x = rng.random()
    if x < 0.3:
        session, number = rng.randint(1, 79), rng.randint(1, 300)
        d = _date(rng, rng.randint(1990, 2024))
        when = f"{d.day} {MONTHS[language][d.month - 1]} {d.year}"
        return (f"its resolution {session}/{number} of {when}, " if language == "en"
                else f"sa résolution {session}/{number} du {when}, ")
    if x < 0.4:
        return f"{'the situation in' if language == 'en' else 'la situation dans'} {rng.choice(PLACES[language])}, "
    return ""


def _clause(rng: random.Random, language: str, words: int) -> str:
    """Noun phrases joined by function words: the word statistics of a paragraph, not its sense."""
    out: list[str] = []
    nouns, adjectives, links = NOUNS[language], ADJECTIVES[language], LINKS[language]
    while len(out) < words:
        x = rng.random()
        if x < 0.4:
            out.append(rng.choice(links))
        elif x < 0.55:
            pair = (rng.choice(nouns), rng.choice(adjectives))
            out.extend(pair if language == "fr" else pair[::-1])
        elif x < 0.58:
            out.append(rng.choice(PLACES[language]))
        elif x < 0.6:
            out.append(str(rng.randint(2, 2030)))
        else:
            out.append(rng.choice(nouns))
        if x > 0.97 and out:
            out[-1] += ","
    return " ".join(out[:words]).rstrip(",")
