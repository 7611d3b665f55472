"""A seeded, offline generator of resolution-like text, for benchmarking at sizes no real corpus has.

The real corpus holds ~10,000 paragraphs; the questions `reso bench` must answer (how fast is
ingest, how big is the index, how slow do answers get, how much memory does the server need) are
about 10k and 100k paragraphs. So this module writes resolutions that stress the index the way
real ones do: Human Rights Council, General Assembly and Security Council documents, each in the
six UN languages (English, French, Spanish, Russian, Arabic, Chinese) with aligned paragraph ids
(PP<n>, OP<n>), preambular paragraphs opening on a participle and operative ones on a verb,
paragraph lengths drawn from the real corpus's distribution in each language, and a UN
vocabulary, so that BM25 statistics, the dense index and the chunk metadata look like production.
Six languages because the real index holds six: the tokenisers (Arabic, Chinese by characters),
the per-language BM25 statistics and the share of each language in the index are part of what
is measured. It is deterministic for a seed (`random.Random(seed)`), needs no network and no
files, and yields `Resolution` objects that `Ingestor.ingest_resolution` takes directly.

`generate(n, seed, languages=("en", "fr"))` writes, byte for byte, what the English-and-French
generator wrote before the other four languages came (a test pins it): English and French keep
their tables, their order of random draws and their first length conventions (see `LEGACY`).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from reso.index.model import Body, Paragraph, Resolution, Vote

LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh")
LEGACY = frozenset({"en", "fr"})  # the first two: their text must not change (see the docstring)

# Paragraph lengths (a top-level paragraph with its sub-paragraphs, i.e. one chunk's text) at
# these quantiles: words, except Chinese, in characters (whitespace excluded).
# en, fr: measured once on the 138 UNxml resolutions of ../shared/corpus (4,950 paragraphs per
# language); kept as they were, since a new measurement is close (en 4/17/29/48/73/104/132/250,
# fr 5/23/40/64/97/141/182/364) and their text must not change.
# es, ru, ar, zh: measured 2026-12-07 on the chunks of the development index /tmp/full-idx
# (../shared/corpus + corpus-large; preambular and operative chunks of resolutions: es 13,291,
# ru 12,389, ar 13,214, zh 13,296 paragraphs over ~400 documents each), on a copy of the index, by
#   python -c "import re; from pathlib import Path; from collections import defaultdict; \
#     from reso.index.store import ChromaStore; from reso.settings import Settings; by = defaultdict(list)
#     for c in ChromaStore.open(Path('COPY-OF-full-idx'), Settings().collection).chunks():
#       if c.document_kind == 'resolution' and c.kind in ('preambular', 'operative'):
#         by[c.language].append(len(re.sub(r'\s', '', c.text)) if c.language == 'zh' else len(c.text.split()))
#     for lang, xs in sorted(by.items()): xs.sort(); print(lang, len(xs),
#       [xs[int(q * (len(xs) - 1))] for q in (0, .1, .25, .5, .75, .9, .95, .99, 1)])"
# The 1.0 quantile is capped (at ~2.35 times the 0.99 one, as for en and fr), the real maximum
# (1,800 to 3,900) being a handful of annex-like outliers.
QUANTILES = (0.0, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99, 1.0)
LENGTHS = {
    "en": (4, 21, 34, 52, 78, 110, 138, 252, 600),
    "fr": (5, 24, 40, 63, 93, 135, 170, 319, 750),
    "es": (5, 23, 40, 64, 98, 141, 183, 350, 820),
    "ru": (4, 17, 30, 49, 76, 110, 144, 275, 650),
    "ar": (4, 17, 29, 47, 72, 105, 136, 263, 620),
    "zh": (9, 32, 55, 91, 140, 206, 270, 539, 1270),
}
# An operative paragraph longer than this (words; zh characters) has sub-paragraphs 40% of the
# time: about the 0.8 quantile of each language (the first version of a document decides).
SPLIT_OVER = {"en": 90, "fr": 90, "es": 110, "ru": 85, "ar": 80, "zh": 160}
PARAGRAPHS_PER_RESOLUTION = (10, 60)
BODY_SHARES: tuple[tuple[Body, float], ...] = (("HRC", 0.48), ("SC", 0.36), ("GA", 0.16))  # as in the corpus
PREAMBULAR_SHARE = (0.25, 0.5)

BODY_SUBJECT = {
    "en": {"HRC": "The Human Rights Council", "GA": "The General Assembly", "SC": "The Security Council"},
    "fr": {"HRC": "Le Conseil des droits de l’homme", "GA": "L’Assemblée générale", "SC": "Le Conseil de sécurité"},
    "es": {"HRC": "El Consejo de Derechos Humanos", "GA": "La Asamblea General", "SC": "El Consejo de Seguridad"},
    "ru": {"HRC": "Совет по правам человека", "GA": "Генеральная Ассамблея", "SC": "Совет Безопасности"},
    "ar": {"HRC": "إن مجلس حقوق الإنسان", "GA": "إن الجمعية العامة", "SC": "إن مجلس الأمن"},
    "zh": {"HRC": "人权理事会", "GA": "大会", "SC": "安全理事会"},
}

# One title per language, in the order of LANGUAGES (en, fr, es, ru, ar, zh).
TOPICS = (
    ("Human rights and climate change", "Droits de l’homme et changements climatiques",
     "Los derechos humanos y el cambio climático", "Права человека и изменение климата",
     "حقوق الإنسان وتغير المناخ", "人权与气候变化"),
    ("The right to education", "Le droit à l’éducation", "El derecho a la educación", "Право на образование",
     "الحق في التعليم", "受教育权"),
    ("The right to food", "Le droit à l’alimentation", "El derecho a la alimentación", "Право на питание",
     "الحق في الغذاء", "食物权"),
    ("Freedom of opinion and expression", "Liberté d’opinion et d’expression",
     "Libertad de opinión y de expresión", "Свобода мнений и их свободное выражение", "حرية الرأي والتعبير",
     "见解和言论自由"),
    ("Rights of persons with disabilities", "Droits des personnes handicapées",
     "Derechos de las personas con discapacidad", "Права инвалидов", "حقوق الأشخاص ذوي الإعاقة", "残疾人权利"),
    ("The safety of journalists", "La sécurité des journalistes", "La seguridad de los periodistas",
     "Безопасность журналистов", "سلامة الصحفيين", "记者的安全"),
    ("Elimination of violence against women", "Élimination de la violence à l’égard des femmes",
     "Eliminación de la violencia contra la mujer", "Ликвидация насилия в отношении женщин",
     "القضاء على العنف ضد المرأة", "消除对妇女的暴力行为"),
    ("Rights of the child", "Droits de l’enfant", "Derechos del niño", "Права ребенка", "حقوق الطفل", "儿童权利"),
    ("Human rights defenders", "Défenseurs des droits de l’homme", "Los defensores de los derechos humanos",
     "Правозащитники", "المدافعون عن حقوق الإنسان", "人权维护者"),
    ("Contemporary forms of slavery", "Formes contemporaines d’esclavage",
     "Formas contemporáneas de la esclavitud", "Современные формы рабства", "أشكال الرق المعاصرة",
     "当代形式奴隶制"),
    ("The situation in Somalia", "La situation en Somalie", "La situación en Somalia", "Положение в Сомали",
     "الحالة في الصومال", "索马里局势"),
    ("Reports of the Secretary-General on the Sudan", "Rapports du Secrétaire général sur le Soudan",
     "Informes del Secretario General sobre el Sudán", "Доклады Генерального секретаря по Судану",
     "تقارير الأمين العام عن السودان", "秘书长关于苏丹的报告"),
    ("Maintenance of international peace and security", "Maintien de la paix et de la sécurité internationales",
     "Mantenimiento de la paz y la seguridad internacionales", "Поддержание международного мира и безопасности",
     "صون السلام والأمن الدوليين", "维护国际和平与安全"),
    ("Non-proliferation", "Non-prolifération", "No proliferación", "Нераспространение", "عدم الانتشار", "不扩散"),
    ("Threats to international peace and security caused by terrorist acts",
     "Menaces contre la paix et la sécurité internationales résultant d’actes de terrorisme",
     "Amenazas a la paz y la seguridad internacionales causadas por actos terroristas",
     "Угрозы международному миру и безопасности, создаваемые террористическими актами",
     "الأخطار التي تهدد السلام والأمن الدوليين من جراء الأعمال الإرهابية", "恐怖行为对国际和平与安全造成的威胁"),
    ("The situation in the Middle East", "La situation au Moyen-Orient", "La situación en Oriente Medio",
     "Положение на Ближнем Востоке", "الحالة في الشرق الأوسط", "中东局势"),
    ("Protection of civilians in armed conflict", "Protection des civils en période de conflit armé",
     "Protección de los civiles en los conflictos armados", "Защита гражданских лиц в вооруженном конфликте",
     "حماية المدنيين في النزاعات المسلحة", "在武装冲突中保护平民"),
    ("Children and armed conflict", "Le sort des enfants en temps de conflit armé",
     "Los niños y los conflictos armados", "Дети и вооруженные конфликты", "الأطفال والنزاع المسلح",
     "儿童与武装冲突"),
    ("Women and peace and security", "Les femmes et la paix et la sécurité", "Las mujeres y la paz y la seguridad",
     "Женщины и мир и безопасность", "المرأة والسلام والأمن", "妇女与和平与安全"),
    ("Question of the realization of economic, social and cultural rights",
     "Question de la réalisation des droits économiques, sociaux et culturels",
     "Cuestión del ejercicio de los derechos económicos, sociales y culturales",
     "Вопрос о реализации экономических, социальных и культурных прав",
     "مسألة إعمال الحقوق الاقتصادية والاجتماعية والثقافية", "经济、社会、文化权利的实现问题"),
    ("The right to development", "Le droit au développement", "El derecho al desarrollo", "Право на развитие",
     "الحق في التنمية", "发展权"),
    ("Human rights and indigenous peoples", "Les droits de l’homme et les peuples autochtones",
     "Los derechos humanos y los pueblos indígenas", "Права человека и коренные народы",
     "حقوق الإنسان والشعوب الأصلية", "人权与土著人民"),
    ("Enforced or involuntary disappearances", "Disparitions forcées ou involontaires",
     "Desapariciones forzadas o involuntarias", "Насильственные или недобровольные исчезновения",
     "حالات الاختفاء القسري أو غير الطوعي", "强迫或非自愿失踪"),
    ("The right to privacy in the digital age", "Le droit à la vie privée à l’ère du numérique",
     "El derecho a la privacidad en la era digital", "Право на неприкосновенность частной жизни в цифровой век",
     "الحق في الخصوصية في العصر الرقمي", "数字时代的隐私权"),
    ("Access to medicines and vaccines", "Accès aux médicaments et aux vaccins",
     "Acceso a los medicamentos y las vacunas", "Доступ к лекарственным средствам и вакцинам",
     "الحصول على الأدوية واللقاحات", "获得药品和疫苗"),
    ("Promotion of a democratic and equitable international order",
     "Promotion d’un ordre international démocratique et équitable",
     "Promoción de un orden internacional democrático y equitativo",
     "Содействие установлению демократического и справедливого международного порядка",
     "تعزيز نظام دولي ديمقراطي ومنصف", "促进民主和公平的国际秩序"),
    ("Oceans and the law of the sea", "Les océans et le droit de la mer", "Los océanos y el derecho del mar",
     "Мировой океан и морское право", "المحيطات وقانون البحار", "海洋和海洋法"),
    ("Humanitarian assistance", "Assistance humanitaire", "Asistencia humanitaria", "Гуманитарная помощь",
     "المساعدة الإنسانية", "人道主义援助"),
    ("Strengthening of the United Nations system", "Renforcement du système des Nations Unies",
     "Fortalecimiento del sistema de las Naciones Unidas", "Укрепление системы Организации Объединенных Наций",
     "تعزيز منظومة الأمم المتحدة", "加强联合国系统"),
    ("Cooperation with the Office of the High Commissioner", "Coopération avec le Haut-Commissariat",
     "Cooperación con la Oficina del Alto Comisionado", "Сотрудничество с Управлением Верховного комиссара",
     "التعاون مع المفوضية السامية", "与高级专员办事处的合作"),
)
TITLE_INDEX = {language: i for i, language in enumerate(LANGUAGES)}

# Openings as the real texts print them: Russian paragraphs start in lower case; the first
# Arabic preambular paragraph drops the "و" ("and") of the others (إذ يشير / وإذ يشير).
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
    "es": (
        "Recordando", "Reafirmando", "Reconociendo", "Observando", "Tomando nota de", "Acogiendo con beneplácito",
        "Expresando preocupación por", "Profundamente preocupado por", "Gravemente preocupado por",
        "Teniendo presente", "Destacando", "Subrayando", "Poniendo de relieve", "Consciente de", "Guiado por",
        "Convencido de", "Decidido a", "Reiterando", "Expresando su reconocimiento por",
        "Observando con preocupación", "Condenando", "Deplorando", "Alarmado por", "Considerando",
        "Habiendo examinado", "Teniendo en cuenta", "Recordando también", "Reafirmando además", "Alentado por",
        "Actuando en virtud del Capítulo VII de la Carta de las Naciones Unidas",
    ),
    "ru": (
        "ссылаясь на", "вновь подтверждая", "признавая", "отмечая", "принимая к сведению", "приветствуя",
        "выражая обеспокоенность", "будучи глубоко обеспокоен", "будучи серьезно обеспокоен", "учитывая",
        "подчеркивая", "особо отмечая", "признавая также", "сознавая", "руководствуясь", "будучи убежден",
        "будучи преисполнен решимости", "особо подчеркивая", "выражая признательность",
        "с обеспокоенностью отмечая", "осуждая", "выражая сожаление", "будучи встревожен", "считая", "рассмотрев",
        "принимая во внимание", "ссылаясь также на", "подтверждая далее", "будучи воодушевлен", "напоминая",
        "действуя на основании главы VII Устава Организации Объединенных Наций",
    ),
    "ar": (
        "وإذ يشير إلى", "وإذ يؤكد من جديد", "وإذ يسلم", "وإذ يلاحظ", "وإذ يحيط علما", "وإذ يرحب",
        "وإذ يعرب عن قلقه إزاء", "وإذ يساوره بالغ القلق إزاء", "وإذ يساوره قلق شديد إزاء", "وإذ يضع في اعتباره",
        "وإذ يشدد على", "وإذ يؤكد", "وإذ يقر", "وإذ يدرك", "وإذ يسترشد", "واقتناعا منه", "وتصميما منه",
        "وإذ يبرز", "وإذ يعرب عن تقديره", "وإذ يلاحظ مع القلق", "وإذ يدين", "وإذ يشجب", "وإذ يجزعه",
        "وإذ يرى", "وقد نظر في", "وإذ يأخذ في الاعتبار", "وإذ يشير كذلك إلى", "وإذ يعيد تأكيد", "وإذ يكرر",
        "وإذ يتصرف بموجب الفصل السابع من ميثاق الأمم المتحدة",
    ),
    "zh": (
        "回顾", "重申", "确认", "注意到", "表示注意到", "欢迎", "表示关切", "深表关切", "严重关切", "铭记",
        "强调", "着重指出", "承认", "意识到", "遵循", "深信", "决心", "着重强调", "表示赞赏", "关切地注意到",
        "谴责", "痛惜", "震惊地注意到", "考虑到", "审议了", "顾及", "又回顾", "还重申", "受到鼓舞",
        "根据《联合国宪章》第七章采取行动",
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
    "es": (
        "Solicita", "Decide", "Exhorta", "Insta", "Alienta", "Invita", "Acoge con beneplácito", "Reafirma",
        "Condena", "Exige", "Destaca", "Subraya", "Recomienda", "Expresa profunda preocupación", "Toma nota",
        "Reconoce", "Pone de relieve", "Solicita además", "Decide también", "Autoriza", "Reitera", "Hace suyo",
        "Observa con aprecio", "Condena enérgicamente", "Hace un llamamiento", "Solicita también",
        "Decide seguir ocupándose activamente de la cuestión", "Afirma", "Pide", "Encomia",
    ),
    "ru": (
        "просит", "постановляет", "призывает", "настоятельно призывает", "рекомендует", "предлагает",
        "приветствует", "вновь подтверждает", "осуждает", "требует", "подчеркивает", "особо отмечает",
        "выражает глубокую обеспокоенность", "принимает к сведению", "признает", "особо подчеркивает",
        "просит далее", "постановляет также", "уполномочивает", "вновь заявляет", "одобряет",
        "с признательностью отмечает", "решительно осуждает", "обращается с призывом", "просит также",
        "постановляет продолжать активно заниматься этим вопросом", "подтверждает", "ссылается на",
        "высоко оценивает", "выражает",
    ),
    "ar": (
        "يطلب", "يقرر", "يهيب", "يحث", "يشجع", "يدعو", "يرحب", "يؤكد من جديد", "يدين", "يطالب", "يؤكد",
        "يشدد على", "يوصي", "يعرب عن بالغ قلقه", "يحيط علما", "يسلم", "يبرز", "يطلب كذلك", "يقرر أيضا",
        "يأذن", "يكرر تأكيد", "يؤيد", "يلاحظ مع التقدير", "يدين بشدة", "يناشد", "يطلب أيضا",
        "يقرر أن يبقي المسألة قيد نظره الفعلي", "يعيد تأكيد", "يشير إلى", "يثني على",
    ),
    "zh": (
        "请", "决定", "吁请", "敦促", "鼓励", "邀请", "欢迎", "重申", "谴责", "要求", "强调", "着重指出", "建议",
        "深表关切", "注意到", "确认", "着重强调", "又请", "又决定", "授权", "再次申明", "赞同", "赞赏地注意到",
        "强烈谴责", "呼吁", "还请", "决定继续积极处理此案", "申明", "促请", "赞扬",
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
    "es": (
        "al Secretario General", "al Alto Comisionado de las Naciones Unidas para los Derechos Humanos",
        "a todos los Estados", "a los Estados Miembros", "a la Oficina del Alto Comisionado",
        "al Relator Especial", "al Grupo de Trabajo", "a la comunidad internacional", "a todas las partes",
        "al Gobierno", "a las organizaciones de la sociedad civil",
        "a las instituciones nacionales de derechos humanos", "a los órganos creados en virtud de tratados",
        "a los organismos competentes de las Naciones Unidas", "al Experto Independiente",
        "a las organizaciones regionales", "a la Comisión de Consolidación de la Paz", "a la Misión",
        "a los países donantes", "a la Unión Africana", "al Comité", "a las entidades de las Naciones Unidas",
    ),
    "ru": (
        "Генерального секретаря", "Верховного комиссара Организации Объединенных Наций по правам человека",
        "все государства", "государства-члены", "Управление Верховного комиссара", "Специального докладчика",
        "Рабочую группу", "международное сообщество", "все стороны", "правительство",
        "организации гражданского общества", "национальные правозащитные учреждения", "договорные органы",
        "соответствующие учреждения Организации Объединенных Наций", "Независимого эксперта",
        "региональные организации", "Комиссию по миростроительству", "Миссию", "страны-доноры",
        "Африканский союз", "Комитет", "структуры Организации Объединенных Наций",
    ),
    "ar": (
        "إلى الأمين العام", "إلى مفوض الأمم المتحدة السامي لحقوق الإنسان", "بجميع الدول", "الدول الأعضاء",
        "إلى المفوضية السامية", "إلى المقرر الخاص", "إلى الفريق العامل", "المجتمع الدولي", "جميع الأطراف",
        "الحكومة", "منظمات المجتمع المدني", "المؤسسات الوطنية لحقوق الإنسان", "هيئات المعاهدات",
        "وكالات الأمم المتحدة المعنية", "الخبير المستقل", "المنظمات الإقليمية", "لجنة بناء السلام", "البعثة",
        "البلدان المانحة", "الاتحاد الأفريقي", "اللجنة", "كيانات الأمم المتحدة",
    ),
    "zh": (
        "秘书长", "联合国人权事务高级专员", "所有国家", "各会员国", "高级专员办事处", "特别报告员", "工作组",
        "国际社会", "各方", "政府", "民间社会组织", "国家人权机构", "条约机构", "联合国相关机构", "独立专家",
        "区域组织", "建设和平委员会", "特派团", "捐助国", "非洲联盟", "委员会", "联合国各实体",
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
    "es": (
        "derechos", "protección", "promoción", "aplicación", "informe", "resolución", "mandato", "período",
        "sesiones", "cooperación", "asistencia", "desarrollo", "seguridad", "paz", "violencia", "mujeres", "niños",
        "personas", "víctimas", "autores", "rendición", "cuentas", "justicia", "impunidad", "discriminación",
        "igualdad", "participación", "acceso", "educación", "salud", "alimentación", "agua", "saneamiento",
        "vivienda", "medio", "ambiente", "clima", "migración", "refugiados", "detención", "tortura", "libertad",
        "expresión", "reunión", "asociación", "religión", "creencias", "privacidad", "información", "tecnologías",
        "elecciones", "democracia", "gobernanza", "instituciones", "capacidad", "recursos", "financiación",
        "contribuciones", "mecanismos", "procedimientos", "recomendaciones", "obligaciones", "compromisos",
        "principios", "medidas", "legislación", "políticas", "programas", "estrategias", "diálogo", "consultas",
        "negociaciones", "alto", "fuego", "sanciones", "embargo", "armas", "tropas", "personal", "operaciones",
        "misión", "estabilización", "reconciliación", "reconstrucción", "transición", "ayuda", "civiles",
        "población", "comunidades", "minorías", "pueblos", "indígenas", "migrantes", "trabajadores", "periodistas",
        "defensores", "funcionarios", "mesa", "redonda", "taller", "seminario", "estudio", "recopilación",
        "resumen", "plazo", "meses", "año", "bienio", "presupuesto", "fondo", "fiduciario", "secretaría", "sitio",
        "web", "territorio", "región", "fronteras", "soberanía", "integridad", "independencia", "unidad", "derecho",
        "Carta", "Convención", "Pacto", "Declaración", "Protocolo", "Agenda", "objetivos", "metas", "indicadores",
        "datos", "estadísticas", "vigilancia", "evaluación", "examen", "seguimiento", "progresos", "desafíos",
        "lagunas", "pobreza", "desigualdad", "pandemia", "vacunas", "medicamentos", "desastres", "conflicto",
        "terrorismo", "extremismo", "trata", "explotación", "abusos", "acoso", "odio", "discurso", "incitación",
        "Estados", "Naciones", "Unidas", "Consejo", "Asamblea",
    ),
    "ru": (
        "права", "прав", "человека", "защита", "защиты", "поощрение", "осуществление", "осуществления", "доклад",
        "резолюция", "резолюции", "мандат", "сессии", "сотрудничество", "помощь", "помощи", "развитие", "развития",
        "безопасность", "безопасности", "мира", "насилие", "насилия", "женщин", "детей", "лиц", "жертв",
        "виновных", "ответственность", "правосудие", "безнаказанность", "дискриминации", "равенство", "участие",
        "доступ", "образование", "здоровье", "питание", "воды", "санитарии", "жилье", "окружающей", "среды",
        "климата", "миграции", "беженцев", "содержание", "под", "стражей", "пыток", "свобода", "свободы",
        "выражения", "мнений", "собраний", "ассоциации", "религии", "убеждений", "неприкосновенность", "информации",
        "технологий", "выборов", "демократии", "управления", "учреждений", "потенциала", "ресурсов",
        "финансирования", "взносов", "механизмов", "процедур", "рекомендаций", "обязательств", "принципов", "меры",
        "мер", "законодательства", "политики", "программ", "стратегий", "диалога", "консультаций", "переговоров",
        "прекращения", "огня", "санкций", "эмбарго", "оружия", "войск", "персонала", "операций", "миссии",
        "стабилизации", "примирения", "восстановления", "переходного", "периода", "гражданских", "населения",
        "общин", "меньшинств", "народов", "мигрантов", "трудящихся", "журналистов", "правозащитников", "служащих",
        "дискуссии", "обсуждения", "практикума", "семинара", "исследования", "подборки", "резюме", "срок", "месяцев",
        "года", "двухгодичный", "бюджета", "фонда", "секретариата", "веб-сайте", "территории", "региона",
        "границ", "суверенитета", "целостности", "независимости", "единства", "права", "Устава", "Конвенции",
        "Пакта", "Декларации", "Протокола", "повестки", "дня", "целей", "задач", "показателей", "данных",
        "статистики", "мониторинга", "оценки", "обзора", "деятельности", "прогресса", "проблем", "пробелов",
        "нищеты", "неравенства", "пандемии", "вакцин", "лекарств", "бедствий", "конфликта", "терроризма",
        "экстремизма", "торговли", "людьми", "эксплуатации", "злоупотреблений", "ненависти", "подстрекательства",
        "государств", "Организации", "Объединенных", "Наций", "Совета", "Ассамблеи",
    ),
    "ar": (
        "حقوق", "الإنسان", "حماية", "وحماية", "تعزيز", "وتعزيز", "تنفيذ", "تقرير", "قرار", "القرار", "ولاية", "دورة",
        "التعاون", "المساعدة", "التنمية", "والتنمية", "الأمن", "والأمن", "السلام", "العنف", "النساء", "المرأة",
        "الأطفال", "الأشخاص", "الضحايا", "الجناة", "المساءلة", "العدالة", "الإفلات", "العقاب", "التمييز",
        "المساواة", "المشاركة", "الحصول", "التعليم", "الصحة", "الغذاء", "المياه", "الصرف", "الصحي", "السكن",
        "البيئة", "المناخ", "الهجرة", "اللاجئين", "الاحتجاز", "التعذيب", "حرية", "الرأي", "التعبير", "التجمع",
        "تكوين", "الجمعيات", "الدين", "المعتقد", "الخصوصية", "المعلومات", "التكنولوجيا", "الانتخابات",
        "الديمقراطية", "الحوكمة", "المؤسسات", "القدرات", "الموارد", "التمويل", "التبرعات", "الآليات",
        "الإجراءات", "التوصيات", "الالتزامات", "التعهدات", "المبادئ", "التدابير", "التشريعات", "السياسات",
        "البرامج", "الاستراتيجيات", "الحوار", "المشاورات", "المفاوضات", "وقف", "إطلاق", "النار", "الجزاءات",
        "حظر", "الأسلحة", "القوات", "الأفراد", "العمليات", "البعثة", "تحقيق", "الاستقرار", "المصالحة", "إعادة",
        "الإعمار", "المرحلة", "الانتقالية", "المعونة", "المدنيين", "السكان", "المجتمعات", "الأقليات", "الشعوب",
        "المهاجرين", "العمال", "الصحفيين", "المدافعين", "الموظفين", "حلقة", "نقاش", "عمل", "دراسة", "تجميع",
        "موجز", "الموعد", "فترة", "أشهر", "سنة", "السنتين", "الميزانية", "صندوق", "الأمانة", "الموقع",
        "الإقليم", "المنطقة", "الحدود", "السيادة", "السلامة", "الاستقلال", "الوحدة", "القانون", "ميثاق",
        "اتفاقية", "العهد", "إعلان", "البروتوكول", "خطة", "الأهداف", "الغايات", "المؤشرات", "البيانات",
        "الإحصاءات", "الرصد", "التقييم", "الاستعراض", "المتابعة", "التقدم", "التحديات", "الثغرات", "الفقر",
        "عدم", "الجائحة", "اللقاحات", "الأدوية", "الكوارث", "النزاع", "الإرهاب", "التطرف", "الاتجار",
        "الاستغلال", "الإيذاء", "التحرش", "الكراهية", "خطاب", "التحريض", "الأمم", "المتحدة", "الدول", "مجلس",
        "الجمعية",
    ),
    "zh": (
        "权利", "保护", "促进", "执行", "报告", "决议", "任务", "届会", "合作", "援助", "发展", "安全", "和平",
        "暴力", "妇女", "儿童", "人员", "受害者", "施害者", "问责", "司法", "有罪不罚", "歧视", "平等", "参与",
        "获得", "教育", "健康", "粮食", "水", "卫生设施", "住房", "环境", "气候", "移民", "难民", "拘留", "酷刑",
        "自由", "表达", "集会", "结社", "宗教", "信仰", "隐私", "信息", "技术", "选举", "民主", "治理", "机构",
        "能力", "资源", "资金", "捐款", "机制", "程序", "建议", "义务", "承诺", "原则", "措施", "立法", "政策",
        "方案", "战略", "对话", "磋商", "谈判", "停火", "制裁", "禁运", "武器", "部队", "行动", "特派团", "稳定",
        "和解", "重建", "过渡", "人道主义", "平民", "人口", "社区", "少数群体", "土著人民", "移徙者", "工人",
        "记者", "维护者", "工作人员", "小组讨论", "讲习班", "研讨会", "研究", "汇编", "摘要", "期限", "期间",
        "个月", "年度", "两年期", "预算", "基金", "信托", "秘书处", "网站", "领土", "区域", "边界", "主权",
        "完整", "独立", "统一", "法律", "宪章", "公约", "盟约", "宣言", "议定书", "议程", "目标", "具体目标",
        "指标", "数据", "统计", "监测", "评价", "审查", "后续行动", "进展", "挑战", "差距", "贫困", "不平等",
        "大流行病", "疫苗", "药品", "灾害", "冲突", "恐怖主义", "极端主义", "贩运", "剥削", "虐待", "骚扰",
        "仇恨", "言论", "煽动", "联合国", "人权", "国家", "会员国", "理事会", "大会", "安全理事会", "问题",
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
    "es": (
        "internacional", "internacionales", "nacionales", "regionales", "humanos", "económicos", "sociales",
        "culturales", "civiles", "políticos", "efectiva", "pleno", "universal", "independiente", "imparcial",
        "transparente", "sostenible", "inclusiva", "integral", "voluntarias", "pertinentes", "apropiadas",
        "necesarias", "urgente", "graves", "sistemáticas", "manifiestas", "armados", "sexual", "jurídica",
        "judiciales", "técnica", "financiera", "adecuados", "anual", "temático", "interactivo", "intergubernamental",
        "multilateral", "fundamentales", "democrático", "equitativo", "pacífica", "constructivo", "significativa",
        "seguro", "propicio", "digital", "especial", "permanente",
    ),
    "ru": (
        "международного", "международной", "национальных", "региональных", "экономических", "социальных",
        "культурных", "гражданских", "политических", "эффективного", "полного", "всеобщей", "независимого",
        "беспристрастного", "транспарентного", "устойчивого", "инклюзивного", "всеобъемлющего", "добровольных",
        "соответствующих", "надлежащих", "необходимых", "срочных", "серьезных", "систематических", "грубых",
        "вооруженных", "сексуального", "гендерного", "правовой", "судебной", "технической", "финансовой",
        "достаточных", "ежегодного", "тематического", "интерактивного", "межсессионного", "основных",
        "демократического", "справедливого", "мирного", "конструктивного", "реального", "безопасной",
        "благоприятной", "цифровой", "специального", "постоянного", "гуманитарной",
    ),
    "ar": (
        "الدولي", "الدولية", "الوطنية", "الإقليمية", "الاقتصادية", "الاجتماعية", "الثقافية", "المدنية", "السياسية",
        "الفعال", "الكامل", "العالمي", "المستقلة", "النزيهة", "الشفافة", "المستدامة", "الشامل", "الطوعية",
        "المعنية", "المناسبة", "اللازمة", "العاجلة", "الخطيرة", "المنهجية", "الجسيمة", "المسلحة", "الجنسي",
        "الجنساني", "القانونية", "القضائية", "التقنية", "المالية", "الكافية", "السنوي", "المواضيعية",
        "التفاعلي", "الحكومية", "الأساسية", "الديمقراطي", "المنصف", "السلمية", "البناء", "الهادفة", "الآمنة",
        "المواتية", "الرقمية", "الخاص", "الدائمة", "الإنسانية", "المتعددة",
    ),
    "zh": (
        "国际", "国家", "区域", "经济", "社会", "文化", "公民", "政治", "有效", "充分", "普遍", "独立", "公正",
        "透明", "可持续", "包容性", "全面", "自愿", "相关", "适当", "必要", "紧急", "严重", "系统性", "武装",
        "性", "基于性别的", "法律", "司法", "技术", "财政", "充足", "年度", "专题", "互动", "闭会期间", "半天",
        "基本", "民主", "公平", "和平", "建设性", "切实", "安全", "有利", "数字", "特别", "常设", "人道主义",
        "多边",
    ),
}

LINKS = {
    "en": ("of", "of the", "and", "for", "in", "to", "with", "on", "by", "including", "in particular",
           "at its", "within", "through", "as well as", "against", "the", "the", "the", "all", "its", "their"),
    "fr": ("de", "des", "du", "de la", "et", "pour", "dans", "à", "avec", "sur", "par", "notamment",
           "en particulier", "à sa", "au sein", "grâce à", "ainsi que", "contre", "les", "le", "la", "tous",
           "ses", "leurs"),
    "es": ("de", "de los", "del", "de la", "y", "para", "en", "a", "con", "sobre", "por", "incluidos",
           "en particular", "en su", "dentro de", "mediante", "así como", "contra", "los", "el", "la", "las",
           "todos", "sus"),
    "ru": ("в", "и", "на", "с", "по", "для", "о", "к", "от", "в том числе", "в частности", "а также",
           "при", "посредством", "против", "всех", "его", "их", "своей", "за", "в отношении", "которые"),
    "ar": ("في", "من", "على", "إلى", "عن", "مع", "بما في ذلك", "ولا سيما", "وكذلك", "ضد", "بشأن", "من أجل",
           "التي", "الذي", "جميع", "لجميع", "فيما يتعلق", "أو", "بين", "وفي", "دون", "لدى"),
    "zh": ("的", "的", "的", "和", "与", "在", "对", "为", "关于", "以及", "包括", "特别是", "其", "各", "所有",
           "通过", "根据", "针对", "方面", "中", "并", "以便"),
}

PLACES = {
    "en": ("Somalia", "the Sudan", "South Sudan", "Libya", "Mali", "Haiti", "Afghanistan", "Yemen", "Syria",
           "the Democratic Republic of the Congo", "the Central African Republic", "Iraq", "Cyprus", "Lebanon",
           "Colombia", "Myanmar", "Burundi", "Eritrea", "Belarus", "Ukraine", "Geneva", "New York"),
    "fr": ("la Somalie", "le Soudan", "le Soudan du Sud", "la Libye", "le Mali", "Haïti", "l’Afghanistan",
           "le Yémen", "la Syrie", "la République démocratique du Congo", "la République centrafricaine", "l’Iraq",
           "Chypre", "le Liban", "la Colombie", "le Myanmar", "le Burundi", "l’Érythrée", "le Bélarus", "l’Ukraine",
           "Genève", "New York"),
    "es": ("Somalia", "el Sudán", "Sudán del Sur", "Libia", "Malí", "Haití", "el Afganistán", "el Yemen", "Siria",
           "la República Democrática del Congo", "la República Centroafricana", "el Iraq", "Chipre", "el Líbano",
           "Colombia", "Myanmar", "Burundi", "Eritrea", "Belarús", "Ucrania", "Ginebra", "Nueva York"),
    "ru": ("Сомали", "Судан", "Южный Судан", "Ливия", "Мали", "Гаити", "Афганистан", "Йемен", "Сирия",
           "Демократическая Республика Конго", "Центральноафриканская Республика", "Ирак", "Кипр", "Ливан",
           "Колумбия", "Мьянма", "Бурунди", "Эритрея", "Беларусь", "Украина", "Женева", "Нью-Йорк"),
    "ar": ("الصومال", "السودان", "جنوب السودان", "ليبيا", "مالي", "هايتي", "أفغانستان", "اليمن", "سوريا",
           "جمهورية الكونغو الديمقراطية", "جمهورية أفريقيا الوسطى", "العراق", "قبرص", "لبنان", "كولومبيا",
           "ميانمار", "بوروندي", "إريتريا", "بيلاروس", "أوكرانيا", "جنيف", "نيويورك"),
    "zh": ("索马里", "苏丹", "南苏丹", "利比亚", "马里", "海地", "阿富汗", "也门", "叙利亚", "刚果民主共和国",
           "中非共和国", "伊拉克", "塞浦路斯", "黎巴嫩", "哥伦比亚", "缅甸", "布隆迪", "厄立特里亚", "白俄罗斯",
           "乌克兰", "日内瓦", "纽约"),
}

# "the situation in <place>", one per place of PLACES (Russian declines the place: в Судане).
SITUATION = {
    "en": tuple(f"the situation in {p}" for p in PLACES["en"]),
    "fr": tuple(f"la situation dans {p}" for p in PLACES["fr"]),
    "es": tuple(f"la situación en {p}" for p in PLACES["es"]),
    "ru": tuple(f"положение {p}" for p in (
        "в Сомали", "в Судане", "в Южном Судане", "в Ливии", "в Мали", "в Гаити", "в Афганистане", "в Йемене",
        "в Сирии", "в Демократической Республике Конго", "в Центральноафриканской Республике", "в Ираке",
        "на Кипре", "в Ливане", "в Колумбии", "в Мьянме", "в Бурунди", "в Эритрее", "в Беларуси", "в Украине",
        "в Женеве", "в Нью-Йорке")),
    "ar": tuple(f"الحالة في {p}" for p in PLACES["ar"]),
    "zh": tuple(f"{p}局势" for p in PLACES["zh"]),
}

MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"),
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
           "ноября", "декабря"),
    "ar": ("كانون الثاني/يناير", "شباط/فبراير", "آذار/مارس", "نيسان/أبريل", "أيار/مايو", "حزيران/يونيه",
           "تموز/يوليه", "آب/أغسطس", "أيلول/سبتمبر", "تشرين الأول/أكتوبر", "تشرين الثاني/نوفمبر",
           "كانون الأول/ديسمبر"),
    "zh": tuple(f"{m}月" for m in range(1, 13)),
}

# "its resolution 30/25 of 5 October 2015, " as each language prints it.
RESOLUTION_OF = {
    "en": "its resolution {s}/{n} of {d} {month} {y}, ",
    "fr": "sa résolution {s}/{n} du {d} {month} {y}, ",
    "es": "su resolución {s}/{n}, de {d} de {month} de {y}, ",
    "ru": "свою резолюцию {s}/{n} от {d} {month} {y} года, ",
    "ar": "قراره {s}/{n} المؤرخ {d} {month} {y}، ",
    "zh": "其{y}年{month}{d}日第{s}/{n}号决议，",
}
MEETING = {"en": "{}th meeting", "fr": "{}e séance", "es": "{}.ª sesión", "ru": "{}-е заседание",
           "ar": "الجلسة {}", "zh": "第{}次会议"}

SUB_LABELS = "abcdefgh"  # in the pids (OP3(a)) of every language


@dataclass(frozen=True)
class Style:
    """How a language joins and ends its paragraphs, as its real texts do."""

    sep: str  # between words: a space, none in Chinese
    comma: str
    preambular_end: str
    operative_end: str
    intro_end: str  # before sub-paragraphs
    sub_end: str
    labels: tuple[str, ...]  # the printed labels of sub-paragraphs (a), (b)…
    noun_first: bool  # "droits humains" rather than "human rights"
    comma_after: float  # a comma follows a word drawn above this: see COMMAS


# COMMAS: `comma_after` is set so that commas inside paragraphs are as frequent as in the real
# chunks (measured with LENGTHS): one every 16 words in es and ar, 10.5 in ru, 37 characters in
# zh, which also has an enumeration comma "、" every 67 characters (drawn between
# CHINESE_ENUMERATION_AFTER and its `comma_after`). en and fr keep their first rate (one every ~40
# words; the real one is ~15). Labels: Arabic prints (أ), (ب)…; the others (a), (b)….
CHINESE_ENUMERATION_AFTER = 0.888
_LATIN = tuple(f"({c})" for c in SUB_LABELS)
STYLES = {
    "en": Style(" ", ",", ",", ";", ":", ";", _LATIN, False, 0.97),
    "fr": Style(" ", ",", ",", ";", ":", ";", _LATIN, True, 0.97),
    "es": Style(" ", ",", ",", ";", ":", ";", _LATIN, True, 0.919),
    "ru": Style(" ", ",", ",", ";", ":", ";", _LATIN, False, 0.874),
    "ar": Style(" ", "،", "،", "؛", ":", "؛", ("(أ)", "(ب)", "(ج)", "(د)", "(ه)", "(و)", "(ز)", "(ح)"), True, 0.919),
    "zh": Style("", "，", "，", "；", "：", "；", _LATIN, False, 0.929),
}


def _units(text: str, language: str) -> int:
    """A text's length as LENGTHS counts it: words, or characters without whitespace in Chinese."""
    return len("".join(text.split())) if language == "zh" else len(text.split())


def _mean_units(texts, language: str) -> float:
    texts = tuple(texts)
    return sum(_units(t, language) for t in texts) / len(texts)


def _openings(language: str) -> dict[str, int]:
    """The mean length of what precedes a paragraph's clause, taken off the drawn length so that the
    whole paragraph follows LENGTHS (not for en and fr: their clause alone had the drawn length)."""
    if language in LEGACY:
        return {"preambular": 0, "operative": 0}
    reference = RESOLUTION_OF[language].format(s=30, n=25, d=5, month=MONTHS[language][9], y=2015)
    preambular = (_mean_units(PREAMBULAR[language], language) + 0.3 * _units(reference, language)
                  + 0.1 * _mean_units(SITUATION[language], language))
    operative = _mean_units(OPERATIVE[language], language) + _mean_units(ACTORS[language], language)
    return {"preambular": round(preambular), "operative": round(operative)}


OPENING_LENGTH = {language: _openings(language) for language in LANGUAGES}


@dataclass(frozen=True)
class DocumentPlan:
    """What every language version of one resolution shares: symbol, date, topic, shape."""

    body: Body
    symbol: str
    number: str
    session: str | None
    adopted: date
    topic: int
    preambular: int
    operative: int


def generate(chunks: int, seed: int = 0, languages: tuple[str, ...] = LANGUAGES) -> Iterator[Resolution]:
    """Resolutions (each document in every language of `languages`, in that order) holding exactly
    `chunks` top-level paragraphs.

    When fewer paragraphs are left than languages, the last document has one paragraph in as many
    languages as are left (the first ones). The versions of a document share, paragraph by
    paragraph, the quantile of its length and its sub-paragraphs, drawn by the first version, as
    translations do (a long paragraph is long in every language, OP3(a) is in all or none); but
    `languages=("en", "fr")` is the two-language corpus as first written, where French drew its own.
    """
    languages = tuple(languages)
    if not languages or any(language not in STYLES for language in languages):
        raise ValueError(f"languages must be some of {', '.join(LANGUAGES)}, not {languages!r}")
    rng = random.Random(seed)
    counters = {"HRC": (rng.randint(10, 40), rng.randint(1, 5)), "GA": (rng.randint(55, 70), rng.randint(1, 50)),
                "SC": (rng.randint(1500, 2300), 0)}
    shared = languages != ("en", "fr")
    left = max(1, chunks)
    while left > 0:
        plan = _plan(rng, counters, left, len(languages))
        versions = languages if left >= len(languages) else languages[:left]
        left -= len(versions) * (plan.preambular + plan.operative)
        shapes: dict[str, tuple[float, int]] | None = {} if shared else None
        for language in versions:
            yield _resolution(rng, plan, language, shapes)


def _plan(rng: random.Random, counters: dict[str, tuple[int, int]], left: int, languages: int) -> DocumentPlan:
    body = _pick_body(rng)
    symbol, number, session, adopted = _next_symbol(rng, body, counters)
    per_language = max(1, min(rng.randint(*PARAGRAPHS_PER_RESOLUTION), left // languages))
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


def _resolution(rng: random.Random, plan: DocumentPlan, language: str,
                shapes: dict[str, tuple[float, int]] | None = None) -> Resolution:
    paragraphs = [_paragraph(rng, "preambular", i + 1, language, shapes) for i in range(plan.preambular)]
    paragraphs += [_paragraph(rng, "operative", i + 1, language, shapes) for i in range(plan.operative)]
    return Resolution(
        symbol=plan.symbol,
        body=plan.body,
        language=language,
        title=TOPICS[plan.topic][TITLE_INDEX[language]],
        session=plan.session,
        number=plan.number,
        adopted=plan.adopted,
        meeting=MEETING[language].format(rng.randint(20, 9500)),
        vote=Vote(outcome="without_vote" if plan.body != "SC" else "unanimous"),
        subjects=[TOPICS[plan.topic][0]],
        paragraphs=paragraphs,
        source=f"synthetic:{plan.symbol}:{language}",
    )


def _paragraph(rng: random.Random, kind: str, n: int, language: str,
               shapes: dict[str, tuple[float, int]] | None = None) -> Paragraph:
    """One paragraph; `shapes` (pid → length quantile, sub-paragraphs) holds what the document's
    first version drew, for the next ones to follow (None: draw, as en and fr first did)."""
    style = STYLES[language]
    sep = style.sep
    pid = f"PP{n}" if kind == "preambular" else f"OP{n}"
    shape = shapes.get(pid) if shapes is not None else None
    x = rng.random() if shape is None else shape[0]
    words = _length(x, language)  # words, or characters in Chinese
    offset = OPENING_LENGTH[language][kind]
    if offset:
        words = max(2, words - offset)
    if shape is not None:
        parts = shape[1]
    elif kind == "operative" and words > SPLIT_OVER[language] and rng.random() < 0.4:
        parts = rng.randint(2, min(6, len(SUB_LABELS)))
    else:
        parts = 0
    if shapes is not None and shape is None:
        shapes[pid] = (x, parts)
    children: list[Paragraph] = []
    if parts:
        share = max(2, words // (parts + 1))  # (en and fr, who split over 90 words, are never near 2)
        children = [
            Paragraph(pid=f"OP{n}({SUB_LABELS[i]})", kind="subparagraph", number=style.labels[i],
                      text=_clause(rng, language, share) + style.sub_end)
            for i in range(parts)
        ]
        words = share
    if kind == "preambular":
        participle = rng.choice(PREAMBULAR[language])
        if n == 1 and language == "ar" and participle.startswith("و"):
            participle = participle[1:]  # إذ يشير إلى… then وإذ يشير إلى…
        opening = _opening(rng, language)
        return Paragraph(pid=pid, kind="preambular",
                         text=f"{participle}{sep}{opening}{_clause(rng, language, words)}{style.preambular_end}")
    verb = rng.choice(OPERATIVE[language])
    actor = rng.choice(ACTORS[language])
    end = style.intro_end if children else style.operative_end
    return Paragraph(pid=pid, kind="operative", number=str(n), children=children,
                     text=f"{verb}{sep}{actor}{sep}{_clause(rng, language, words)}{end}")


def _length(x: float, language: str) -> int:
    """The length at quantile `x` (drawn uniformly) of the measured quantiles, linear in between."""
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
        return RESOLUTION_OF[language].format(s=session, n=number, d=d.day, month=MONTHS[language][d.month - 1],
                                              y=d.year)
    if x < 0.4:
        style = STYLES[language]
        return f"{rng.choice(SITUATION[language])}{style.comma}{style.sep}"
    return ""


def _clause(rng: random.Random, language: str, words: int) -> str:
    """Noun phrases joined by function words: the word statistics of a paragraph, not its sense."""
    style = STYLES[language]
    if not style.sep:
        return _clause_chinese(rng, words)
    out: list[str] = []
    nouns, adjectives, links, places = NOUNS[language], ADJECTIVES[language], LINKS[language], PLACES[language]
    noun_first, comma_after, comma = style.noun_first, style.comma_after, style.comma
    while len(out) < words:
        x = rng.random()
        if x < 0.4:
            out.append(rng.choice(links))
        elif x < 0.55:
            pair = (rng.choice(nouns), rng.choice(adjectives))
            out.extend(pair if noun_first else pair[::-1])
        elif x < 0.58:
            out.append(rng.choice(places))
        elif x < 0.6:
            out.append(str(rng.randint(2, 2030)))
        else:
            out.append(rng.choice(nouns))
        if x > comma_after and out:
            out[-1] += comma
    if language in LEGACY:  # as first written: `words` entries, a few of them of two or three words
        return " ".join(out[:words]).rstrip(comma)
    return " ".join(" ".join(out).split()[:words]).rstrip(comma)  # exactly `words` words


def _clause_chinese(rng: random.Random, chars: int) -> str:
    """`_clause` in Chinese: `chars` characters of words written without spaces (the last word may
    be cut), with the commas "，" and the enumeration commas "、" of the real texts."""
    out: list[str] = []
    nouns, adjectives, links, places = NOUNS["zh"], ADJECTIVES["zh"], LINKS["zh"], PLACES["zh"]
    comma_after = STYLES["zh"].comma_after
    size = 0
    while size < chars:
        x = rng.random()
        if x < 0.4:
            word = rng.choice(links)
        elif x < 0.55:
            word = rng.choice(adjectives) + rng.choice(nouns)
        elif x < 0.58:
            word = rng.choice(places)
        elif x < 0.6:
            word = str(rng.randint(2, 2030))
        else:
            word = rng.choice(nouns)
        if x > comma_after:
            word += "，"
        elif x > CHINESE_ENUMERATION_AFTER:
            word += "、"
        out.append(word)
        size += len(word)
    return "".join(out)[:chars].rstrip("，、")
