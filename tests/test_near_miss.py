"""Near misses (issue 14, item 3): a question asking WHERE or WHO CHAIRS is declined when the chosen
paragraphs name no place / no chair, instead of being answered by a paragraph on the topic.

Real resolutions of ../shared/corpus: 54/27 (the Group of Independent Eminent Experts "will meet
annually in Geneva", OP19; the Permanent Forum's session "will be held in a hybrid format", OP36, no
place; "the Chair of the Group", OP22, never named), 55/20 (the Advisory Commission on Rakhine State
"chaired by Kofi Annan", PP38), 54/28 in its six languages (the intersessional meeting on technical
cooperation, OP13, no place) and S/RES/2700 (2023) (the Haiti committee's Chair named as
"Ambassador Michel Xavier Biang", PP12), in English and French.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reso.assistant.answer_types import asked, gives, telling
from reso.assistant.core import Assistant
from reso.assistant.generators.extractive import ExtractiveGenerator
from reso.assistant.question import Question
from reso.assistant.refusal import RefusalPolicy
from reso.assistant.retrieval import HybridRetriever
from tests.conftest import cited, hash_retriever

H27, H20, H28, S2700 = "A/HRC/RES/54/27", "A/HRC/RES/55/20", "A/HRC/RES/54/28", "S/RES/2700 (2023)"


@pytest.fixture(scope="module")
def corpus_files(shared_corpus) -> list[Path]:
    hrc = shared_corpus / "unxml-hrc"
    files = list(hrc.glob("54session/*/A_HRC_RES_54_27?.xml")) + list(hrc.glob("55session/*/A_HRC_RES_55_20?.xml"))
    files += list(hrc.glob("54session/*/A_HRC_RES_54_28?.xml"))
    files += list((shared_corpus / "unxml-sc" / "2023").glob("*/S_RES_2700_?.xml"))
    assert len(files) == 12, files  # 54/28 in six languages, the three others in English and French
    return files


@pytest.fixture(scope="module")
def retriever(tmp_path_factory, corpus_files) -> HybridRetriever:
    return hash_retriever(tmp_path_factory.mktemp("near-miss-index"), corpus_files)


@pytest.fixture(scope="module")
def policy(retriever) -> RefusalPolicy:
    return RefusalPolicy(index=retriever.lexical)


@pytest.fixture(scope="module")
def assistant(retriever, policy) -> Assistant:
    return Assistant(retriever, ExtractiveGenerator(), policy)


def reason(retriever, policy, question: str) -> str:
    q = Question.of(question)
    return policy.decide(q, retriever.retrieve(q)).reason


# -- where: answered where the paragraph names the place, declined where it does not ---------------
@pytest.mark.parametrize(
    "question",
    [
        "Where will the Group of Independent Eminent Experts meet?",
        "Où se réunira chaque année le Groupe d'éminents experts indépendants ?",
        "¿Dónde se reunirá cada año el Grupo de Eminentes Expertos Independientes?",
        "Где будет ежегодно собираться Группа независимых видных экспертов?",
    ],
)
def test_a_place_question_is_answered_by_the_paragraph_naming_the_place(assistant, question):
    answer = assistant.answer(question)
    assert not answer.refused
    assert cited(answer) == [(H27, "OP19")]  # "will meet annually in Geneva"


@pytest.mark.parametrize(
    "question",
    [
        "Where will the annual session of the Permanent Forum on People of African Descent be held?",
        "Où se tiendra la session annuelle de l'Instance permanente pour les personnes d'ascendance africaine ?",
        "¿Dónde se celebrará el período de sesiones anual del Foro Permanente sobre los Afrodescendientes?",
    ],
)
def test_a_place_question_on_a_paragraph_without_a_place_is_declined(assistant, retriever, policy, question):
    """OP36 is about that session ("held in a hybrid format and webcast") and names no place: before
    the place kind, it was cited as the answer."""
    assert assistant.answer(question).refused
    assert reason(retriever, policy, question) == "the question asks for a place that the paragraphs do not give"


@pytest.mark.parametrize(
    "question",
    [
        "Where was the intersessional meeting on technical cooperation and capacity-building held?",
        "Где проходило межсессионное совещание по техническому сотрудничеству и укреплению потенциала?",
        "关于技术合作和能力建设的闭会期间会议是在哪里举行的？",
        "أين عقد الاجتماع بين الدورات بشأن التعاون التقني وبناء القدرات؟",
    ],
)
def test_a_place_question_is_declined_in_every_language_version(assistant, retriever, policy, question):
    """54/28 OP13 welcomes that meeting, in all six languages, and says nowhere where it was held."""
    assert assistant.answer(question).refused
    assert "place" in reason(retriever, policy, question)


def test_the_same_topic_asked_without_where_is_still_answered(assistant):
    answer = assistant.answer("What will the Group of Independent Eminent Experts do each year?")
    assert not answer.refused and cited(answer)[0][0] == H27


# -- who chairs: a chairing phrase or a named chair, not the office alone ---------------------------
@pytest.mark.parametrize(
    "question, expected",
    [
        ("Who chaired the Advisory Commission on Rakhine State?", (H20, "PP38")),  # "chaired by Kofi Annan"
        ("Qui présidait la Commission consultative sur l'État rakhine ?", (H20, "PP38")),  # "présidée par Kofi Annan"
        # "le Président du Comité …, Monsieur l'Ambassadeur Michel Xavier Biang": no honorific of the
        # name table ("M.", "Mr."), so the name check alone declined it
        ("Qui préside le Comité créé par la résolution 2653 (2022) ?", (S2700, "PP12")),
        ("Who chairs the Committee established pursuant to resolution 2653 (2022)?", (S2700, "PP12")),
    ],
)
def test_a_chair_question_is_answered_by_the_paragraph_naming_the_chair(assistant, question, expected):
    answer = assistant.answer(question)
    assert not answer.refused
    assert cited(answer) == [expected]


@pytest.mark.parametrize(
    "question",
    ["Who chairs the Group of Independent Eminent Experts?", "Qui préside le Groupe d'éminents experts indépendants ?"],
)
def test_a_chair_mentioned_but_not_named_does_not_answer(assistant, retriever, policy, question):
    """OP22 "requests the Chair of the Group to engage in an interactive dialogue": a chair, no name."""
    assert assistant.answer(question).refused
    assert "chair" in reason(retriever, policy, question)


# -- the kinds themselves, on the question and on real paragraph texts -------------------------------
@pytest.mark.parametrize(
    "question, kind",
    [
        ("Where will the forum be held?", "place"),
        ("In which city is the Centre based?", "place"),
        ("Où se tiendra le forum ?", "place"),
        ("¿Dónde se celebrará el foro?", "place"),
        ("Где пройдет форум?", "place"),
        ("论坛将在哪里举行？", "place"),
        ("أين سيعقد المنتدى؟", "place"),
        ("Who chairs the committee?", "chair"),
        ("Qui préside le comité ?", "chair"),
        ("¿Quién preside el comité?", "chair"),
        ("Кто председательствует в комитете?", "chair"),
        ("委员会由谁主持？", "chair"),
        ("من يرأس اللجنة؟", "chair"),
    ],
)
def test_questions_asking_for_a_place_or_a_chair(question, kind):
    assert kind in asked(question)


@pytest.mark.parametrize(
    "question",
    [
        "What did the Council decide about the Special Rapporteur, and where must the report go?",  # a body, no place
        "Les États ou les organisations peuvent-ils contribuer au fonds ?",  # "ou": or
        "人权理事会决定在哪届会议举行小组讨论会？",  # at which session
        "届时安理会将如何处理伊朗核问题？",  # 如何处理: how to handle
    ],
)
def test_questions_not_asking_for_a_place(question):
    assert "place" not in asked(question)


def test_a_chair_question_needs_no_honorific():
    assert telling(asked("Qui préside le comité ?")) == ["chair"]  # the name check gives way to the chair's


@pytest.mark.parametrize(
    "text, place",
    [
        ("Decides that the Group of Independent Eminent Experts will meet annually in Geneva for a four-day session", True),
        ("Décide que le Groupe d'éminents experts indépendants se réunira chaque année à Genève", True),
        ("the first international symposium on forensic medicine, held in Kinshasa from 17 to 19 July 2023", True),
        ("Pide que se organicen dos talleres de medio día en Ginebra", True),
        ("состоится в Женеве", True),
        ("会议于2023年12月4日在日内瓦举行", True),
        ("الاجتماع الذي عقد في جنيف", True),
        ("will be held in a hybrid format and will be webcast to allow for remote participation", False),
        ("a biennial panel discussion, to be held at the sixtieth session of the Council", False),
        ("in accordance with Human Rights Council resolution 18/18 and the Charter of the United Nations", False),
        ("the United Nations Voluntary Fund for Technical Cooperation in the Field of Human Rights", False),
        ("Rappelant les résolutions adoptées en mai 2023 et invitant les États Membres à coopérer", False),
    ],
)
def test_a_place_in_a_paragraph(text, place):
    assert gives("place", text) is place


@pytest.mark.parametrize(
    "text, chair",
    [
        ("the Advisory Commission on Rakhine State, chaired by Kofi Annan", True),
        ("la Commission consultative sur l'État rakhine, présidée par Kofi Annan", True),
        ("le Conseil des ministres, présidé par le Président de la République", True),
        ("the Chair of the Committee, Permanent Representative of Gabon, Ambassador Michel Xavier Biang", True),
        ("requests the Chair of the Group to engage in an interactive dialogue with the Assembly", False),
        ("Welcoming the steps taken by the President of the Human Rights Council", False),
    ],
)
def test_a_chair_in_a_paragraph(text, chair):
    assert gives("chair", text) is chair


@pytest.mark.parametrize(
    "question, kind",
    [
        ("Who was appointed to this post?", "name"),
        ("Who are the three experts?", "name"),
        ("Et qui a été nommé à ce poste ?", "name"),
        ("¿Quién fue nombrado Enviado Especial?", "name"),
        ("Кто назначен на эту должность?", "name"),
        ("من تم تعيينه في هذا المنصب؟", "name"),
        ("谁被任命为特使？", "name"),
        # other ways people ask for the person (heldout2-s36's wordings aside, written apart from any set)
        ("Who got the job of Special Coordinator?", "name"),
        ("I would like the name of the current Special Rapporteur.", "name"),
        ("Who replaced the judge who resigned?", "name"),
        ("Quel est le nom de l'Envoyée spéciale ?", "name"),
        ("Quelle personnalité occupe ce poste ?", "name"),
        ("Qui a remplacé le juge démissionnaire ?", "name"),
        ("¿Cuál es el nombre de la Relatora Especial?", "name"),
        ("¿Quién sustituyó al juez?", "name"),
        ("Назовите Специального посланника.", "name"),
        ("Кто занимает этот пост?", "name"),
        ("ما اسم المبعوث الخاص؟", "name"),
        ("من يشغل هذا المنصب؟", "name"),
        ("谁接替了这位法官？", "name"),
        ("How often must the Secretary-General report to the Council?", "frequency"),
        ("À quelle fréquence le Secrétaire général doit-il faire rapport ?", "frequency"),
        ("¿Con qué frecuencia debe informar el Secretario General?", "frequency"),
        ("Как часто Генеральный секретарь должен представлять доклады?", "frequency"),
        ("كم مرة يجب على الأمين العام تقديم تقرير؟", "frequency"),  # "how many times": a frequency, not a count
        ("秘书长应多久报告一次？", "frequency"),  # "every how long": a frequency, not a period
    ],
)
def test_who_holds_a_post_asks_a_name_and_how_often_a_frequency(question, kind):
    assert telling(asked(question)) == [kind]


@pytest.mark.parametrize("question", ["Who appoints its members?", "Qui nomme les membres du groupe ?",
                                      # an office answers these: "the Secretary-General", not a person's name
                                      "Which official must report to the Council?", "Quel responsable doit faire rapport ?",
                                      "What is the name of the operation?", "Назовите резолюции о Судане."])
def test_who_appoints_asks_for_an_office_not_a_name(question):
    assert "name" not in asked(question)


@pytest.mark.parametrize(
    "kind, text, given",
    [
        # real paragraphs of ../shared/corpus-large that name the person appointed without an honorific
        ("name", "Welcoming the appointment of Staffan de Mistura as the Personal Envoy of the Secretary-General for Western Sahara", True),
        ("name", "Welcomes the appointment of El-Ghassim Wane as the new Special Representative of the Secretary-General in Mali,", True),
        ("name", "Welcomes the appointment of Major General Ishwar Hamal as Head of Mission and Force Commander;", True),
        ("name", "Se félicitant de la nomination de Ghassan Salamé en tant que Représentant spécial", True),
        ("name", "приветствуя назначение Стаффана де Мистуры Личным посланником", True),
        ("name", "Decides to appoint Mr. Serge Brammertz as Prosecutor", True),  # the honorific, as before
        ("name", "表示全力支持秘书长西撒哈拉问题个人特使斯塔凡·德米斯图拉，支持他", True),  # a transliterated name
        ("name", "重申大力支持秘书长及其个人特使的努力", False),
        # offices and bodies, capitalised, name nobody
        ("name", "Requests the Secretary-General to appoint a Special Envoy as set out in resolution 2542", False),
        ("name", "Requests the Secretary-General to appoint Special Envoy for Yemen without delay", False),
        ("name", "a group of three independent experts, to be appointed by the President of the Human Rights Council", False),
        ("name", "Prie le Secrétaire général de nommer son Envoyé spécial sans délai", False),
        ("frequency", "Requests the Secretary-General to report to the Council every four months on the implementation", True),
        ("frequency", "Requests the Secretary-General to brief the Council on a monthly basis", True),
        ("frequency", "Décide de tenir chaque année un débat interactif", True),
        ("frequency", "Prie le Secrétaire général de lui faire rapport six et onze mois après l’adoption", True),  # a schedule
        ("frequency", "Pide al Secretario General que informe al Consejo cada 90 días", True),
        ("frequency", "просит Генерального секретаря ежемесячно представлять доклад", True),
        ("frequency", "يطلب إلى الأمين العام أن يقدم تقريرا كل أربعة أشهر", True),
        ("frequency", "请秘书长每90天报告一次", True),
        ("frequency", "Requests the Secretary-General to submit a report at its fifty-eighth session", False),
        ("frequency", "Decides to extend the mandate until 31 January 2025", False),
        ("frequency", "请秘书长在第五十八届会议上提交报告", False),
    ],
)
def test_a_person_named_or_a_frequency_in_a_paragraph(kind, text, given):
    assert gives(kind, text) is given
