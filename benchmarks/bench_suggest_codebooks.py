"""Codebook definitions for the shared label sets, written once for the cold-start benchmark.

A researcher starting a project has a codebook before any comment is coded. The NHS data
(pxtextmining, ../shared/data) comes with the names of its 9 categories and 44
sub-categories only; the descriptions, inclusion notes and examples below were written
from those names and what patient-experience frameworks usually mean by them, without
reading the comments, so they are what a researcher could write on day one. The examples
are made up for illustration; none is taken from the data.

The ANES codes are published with this data as numbers only, so they have no definitions
here: the cold-start benchmark runs on the NHS label sets.
"""

from __future__ import annotations

# path -> (description, include, exclude, examples)
Definition = tuple[str, str, str, tuple[str, ...]]

NHS_LABELS: dict[str, Definition] = {
    "Access": (
        "Getting to use the service: waiting lists, waiting times, appointments, referrals, "
        "opening hours and how easy it is to get help.",
        "Waiting for an appointment, a referral or a call back; availability of services.",
        "What happened once care was given (use Care received).",
        ("I waited months for my first appointment", "Hard to get through on the phone"),
    ),
    "Care received": (
        "The care and treatment itself: support, advice, therapies, medication, physical and "
        "emotional care, and how the care helped.",
        "Praise or criticism of the treatment, the support given and its results.",
        "Remarks about staff as people (use Staff).",
        ("The treatment really helped me", "Good care and support throughout"),
    ),
    "Communication": (
        "Information and explanations given to patients and families, being listened to, and "
        "keeping people informed.",
        "Clear or unclear information, not being told, staff listening or not listening.",
        "",
        ("Nobody explained what was happening", "They listened to me and explained everything"),
    ),
    "Couldn't be improved": (
        "The patient says nothing could be improved or nothing needs to change.",
        "Answers such as nothing, no improvement needed, it was all fine.",
        "",
        ("Nothing, it was perfect", "Can't think of anything to improve"),
    ),
    "Dignity": (
        "Being treated with dignity and respect, feeling safe, privacy, being involved in "
        "decisions, and respect for the person and their family.",
        "Respect, privacy, safety, bullying, involvement of patients, family and carers.",
        "",
        ("I was treated with dignity", "I did not feel safe on the ward"),
    ),
    "Environment/ facilities": (
        "The place and its facilities: cleanliness, food, equipment, buildings, parking and "
        "transport.",
        "Comments on the ward, rooms, food, cleanliness, car park and equipment.",
        "",
        ("The ward was very clean", "The food was cold", "Parking is a nightmare"),
    ),
    "Miscellaneous": (
        "General remarks that fit no other category: everything good or bad in general, "
        "funding, surveys and other topics.",
        "Overall verdicts without detail, remarks about the survey or funding.",
        "",
        ("Everything was good", "Too many surveys"),
    ),
    "Staff": (
        "The staff themselves: their attitude, kindness, friendliness, professionalism and "
        "competence, and how many staff there are.",
        "Nurses, doctors and other staff described as kind, rude, helpful, skilled or too few.",
        "",
        ("The staff were lovely and friendly", "The nurses were rude"),
    ),
    "Transition/coordination": (
        "How care joins up: continuity between staff and services, coordination, moving "
        "between services and discharge.",
        "Seeing different staff each time, services not talking to each other, discharge.",
        "",
        ("Different doctor every time", "Discharge was badly organised"),
    ),
}

NHS_SUBCATEGORIES: dict[str, Definition] = {
    "Access > General": (
        "Access to the service in general: how easy it is to get help.",
        "",
        "",
        ("Easy to access the service",),
    ),
    "Access > Location": (
        "Where the service is: distance, location and how far to travel.",
        "",
        "",
        ("The clinic is too far from home",),
    ),
    "Access > Provision of services": (
        "Which services are available: opening hours, more sessions, services not offered.",
        "",
        "",
        ("There should be more evening appointments",),
    ),
    "Access > Time spent waiting between appointments": (
        "The wait between one appointment and the next.",
        "",
        "",
        ("Too long between appointments",),
    ),
    "Access > Time spent waiting for first appt/referral/service": (
        "Waiting lists and the wait for a first appointment, a referral or to be seen.",
        "",
        "",
        ("I waited six months to be seen", "Long waiting list for referral"),
    ),
    "Care received": (
        "The care and treatment received, in general.",
        "",
        "",
        ("Excellent care", "Very good treatment"),
    ),
    "Care received > 1-2-1 care/Time spent with service user": (
        "One-to-one time with the patient and how much time staff spend with them.",
        "",
        "",
        ("More one to one time with staff",),
    ),
    "Care received > Activities": (
        "Activities, groups and things to do on the ward or in the service.",
        "",
        "",
        ("There is nothing to do on the ward", "The groups and activities were good"),
    ),
    "Care received > Advice and support": (
        "Advice, help and support given to the patient.",
        "",
        "",
        ("Very helpful advice and support",),
    ),
    "Care received > Carer support": (
        "Support for carers and family members who look after the patient.",
        "",
        "",
        ("Support for me as a carer",),
    ),
    "Care received > Emotional care": (
        "Emotional and psychological care: reassurance, compassion, understanding feelings.",
        "",
        "",
        ("They reassured me when I was anxious",),
    ),
    "Care received > Made A Difference To My Life": (
        "The care changed the patient's life or made a real difference.",
        "",
        "",
        ("This service has changed my life",),
    ),
    "Care received > Medication": (
        "Medication, prescriptions, tablets and their side effects.",
        "",
        "",
        ("My medication was reviewed", "Waited hours for my tablets"),
    ),
    "Care received > Physical care": (
        "Physical health care: examinations, treatment of the body, pain relief, dressings.",
        "",
        "",
        ("My wound was dressed well",),
    ),
    "Care received > Rules/approach to care": (
        "The rules, routines and approach of the service to care.",
        "",
        "",
        ("The ward rules are too strict",),
    ),
    "Care received > Therapies": (
        "Therapies such as physiotherapy, counselling, psychology, occupational therapy.",
        "",
        "",
        ("The physio exercises helped", "More counselling sessions"),
    ),
    "Communication": (
        "Communication with patients in general.",
        "",
        "",
        ("Good communication",),
    ),
    "Communication > Amount/clarity of information": (
        "How much information was given and how clear it was; explanations.",
        "",
        "",
        ("Everything was clearly explained", "Not enough information"),
    ),
    "Communication > Listening": (
        "Whether staff listened to the patient and took their views into account.",
        "",
        "",
        ("They really listened to me",),
    ),
    "Couldn't be improved > Nothing to improve": (
        "Nothing could be improved; no changes needed.",
        "",
        "",
        ("Nothing", "Nothing to improve", "Can't think of anything"),
    ),
    "Dignity > Dignity: General": (
        "Dignity and respect in general; privacy.",
        "",
        "",
        ("Treated with dignity and respect",),
    ),
    "Dignity > Feeling safe including bullying": (
        "Feeling safe or unsafe, bullying, aggression from other patients.",
        "",
        "",
        ("I felt safe here", "Other patients were bullying me"),
    ),
    "Dignity > Involvement: Of Family And Carers": (
        "Families and carers being involved in care and decisions.",
        "",
        "",
        ("My family were involved in decisions",),
    ),
    "Dignity > Involvement: Of Service Users/Patients": (
        "Patients being involved in decisions about their own care.",
        "",
        "",
        ("I was involved in planning my care",),
    ),
    "Dignity > Respect For Diversity/ Person-Centeredness": (
        "Care fitted to the person: respect for their background, culture, needs and choices.",
        "",
        "",
        ("They treated me as an individual",),
    ),
    "Environment/ facilities": (
        "The environment and facilities in general.",
        "",
        "",
        ("Nice environment",),
    ),
    "Environment/ facilities > Cleanliness": (
        "How clean the ward, rooms and toilets are.",
        "",
        "",
        ("The toilets were dirty", "Very clean ward"),
    ),
    "Environment/ facilities > Facilities/equipment": (
        "Buildings, rooms, furniture, equipment, heating, noise and comfort.",
        "",
        "",
        ("The waiting room needs more chairs", "The beds are uncomfortable"),
    ),
    "Environment/ facilities > Food": (
        "Food and drink: meals, choice, quality, hot drinks.",
        "",
        "",
        ("The food was lovely", "Better choice of meals"),
    ),
    "Environment/ facilities > Parking/transport": (
        "Car parking, parking charges, buses and transport to the service.",
        "",
        "",
        ("Not enough parking spaces",),
    ),
    "Miscellaneous": (
        "Anything that fits no other category.",
        "",
        "",
        (),
    ),
    "Miscellaneous > Everything was good/bad": (
        "A general verdict that everything was good, or bad, without saying what.",
        "",
        "",
        ("Everything was good", "All of it was great"),
    ),
    "Miscellaneous > Funding": (
        "Money and funding of the service; cuts.",
        "",
        "",
        ("The service needs more funding",),
    ),
    "Miscellaneous > Leave (under MHA)": (
        "Leave from the ward for detained patients under the Mental Health Act.",
        "",
        "",
        ("I want more leave off the ward",),
    ),
    "Miscellaneous > Nothing to improve": (
        "Nothing to improve, said in passing.",
        "",
        "",
        ("No", "None"),
    ),
    "Miscellaneous > Nothing was good": (
        "Nothing about the service was good.",
        "",
        "",
        ("Nothing was good",),
    ),
    "Miscellaneous > Surveying": (
        "Remarks about the survey or questionnaire itself.",
        "",
        "",
        ("Too many questionnaires",),
    ),
    "Staff > Attitude Of Staff": (
        "How staff behave towards patients: kind, caring, friendly, polite, rude or uncaring.",
        "",
        "",
        ("Staff were kind and friendly", "The receptionist was rude"),
    ),
    "Staff > Professionalism/Competence Of Staff": (
        "Staff skills, knowledge, professionalism and competence.",
        "",
        "",
        ("Very professional and knowledgeable staff",),
    ),
    "Staff > Staff: General": (
        "The staff in general: praise or criticism of staff, nurses and doctors.",
        "",
        "",
        ("Great staff", "The nurses were brilliant"),
    ),
    "Staff > Staffing levels": (
        "How many staff there are: too few staff, understaffing, agency staff, busy staff.",
        "",
        "",
        ("The ward is short staffed",),
    ),
    "Transition/coordination > Consistency/Continuity of care": (
        "Seeing the same staff, continuity of care, changes of doctor or care worker.",
        "",
        "",
        ("I see a different doctor every time",),
    ),
    "Transition/coordination > Coordination/Integration Of Care": (
        "Services and teams working together and sharing information.",
        "",
        "",
        ("The hospital and GP did not talk to each other",),
    ),
    "Transition/coordination > Transition And Discharge": (
        "Discharge from hospital or a service and moving between services.",
        "",
        "",
        ("I was discharged too early",),
    ),
    "Transition/coordination > Transition/ coordination: General": (
        "Transition and coordination of care in general.",
        "",
        "",
        (),
    ),
}


def definitions(name: str) -> dict[str, Definition]:
    """The definitions written for a data set, by its name; none for unnamed codes."""
    if name == "NHS label":
        return NHS_LABELS
    if name == "NHS subcategory":
        return NHS_SUBCATEGORIES
    return {}
