"""The ready question sets a coordinator starts from: half-time (how the first term went, what
to change) and final (what the year gave, what to change next year). Written from the seeds:
a half-time seminar that evaluates the first term, a final joint evaluation in May."""

from __future__ import annotations

SCALE, CHOICE, TEXT = "scale", "choice", "text"

# (kind, required, {language: text}, {language: options} or None)
HALF_TIME = [
    (
        SCALE,
        True,
        {
            "sv": "Våra möten har varit värdefulla för mig.",
            "en": "Our meetings have been valuable to me.",
            "da": "Vores møder har været værdifulde for mig.",
        },
        None,
    ),
    (
        SCALE,
        True,
        {
            "sv": "Vi har hittat en bra form för våra samtal.",
            "en": "We have found a good way to hold our conversations.",
            "da": "Vi har fundet en god form for vores samtaler.",
        },
        None,
    ),
    (
        SCALE,
        True,
        {
            "sv": "Vi har kommit närmare de mål vi satte upp.",
            "en": "We have come closer to the goals we set.",
            "da": "Vi er kommet tættere på de mål, vi satte.",
        },
        None,
    ),
    (
        CHOICE,
        False,
        {
            "sv": "Hur ofta har ni träffats hittills?",
            "en": "How often have you met so far?",
            "da": "Hvor ofte har I mødtes indtil nu?",
        },
        {
            "sv": ["Varje månad", "Varannan månad", "Mer sällan"],
            "en": ["Every month", "Every other month", "Less often"],
            "da": ["Hver måned", "Hver anden måned", "Sjældnere"],
        },
    ),
    (
        SCALE,
        False,
        {
            "sv": "Programmets gemensamma träffar har gett mig något.",
            "en": "The program's joint events have given me something.",
            "da": "Programmets fælles arrangementer har givet mig noget.",
        },
        None,
    ),
    (
        TEXT,
        False,
        {
            "sv": "Vad vill ni göra annorlunda under andra halvan?",
            "en": "What do you want to do differently in the second half?",
            "da": "Hvad vil I gøre anderledes i anden halvdel?",
        },
        None,
    ),
    (
        TEXT,
        False,
        {
            "sv": "Något du vill säga till programmets samordnare?",
            "en": "Anything you want to tell the program's coordinators?",
            "da": "Er der noget, du vil sige til programmets koordinatorer?",
        },
        None,
    ),
]

FINAL = [
    (
        SCALE,
        True,
        {
            "sv": "Mentorskapet har varit värdefullt för mig.",
            "en": "The mentorship has been valuable to me.",
            "da": "Mentorforløbet har været værdifuldt for mig.",
        },
        None,
    ),
    (
        SCALE,
        True,
        {
            "sv": "Vi har nått de mål vi satte upp.",
            "en": "We reached the goals we set.",
            "da": "Vi har nået de mål, vi satte.",
        },
        None,
    ),
    (
        SCALE,
        True,
        {
            "sv": "Matchningen passade mig.",
            "en": "The match suited me.",
            "da": "Matchet passede til mig.",
        },
        None,
    ),
    (
        SCALE,
        False,
        {
            "sv": "Programmets upplägg (gemensamma träffar, tidslinje, stöd) fungerade bra.",
            "en": "The program's set-up (joint events, timeline, support) worked well.",
            "da": "Programmets opbygning (fælles arrangementer, tidsplan, støtte) fungerede godt.",
        },
        None,
    ),
    (
        CHOICE,
        False,
        {
            "sv": "Skulle du rekommendera programmet till en kollega?",
            "en": "Would you recommend the program to a colleague?",
            "da": "Vil du anbefale programmet til en kollega?",
        },
        {
            "sv": ["Ja", "Kanske", "Nej"],
            "en": ["Yes", "Maybe", "No"],
            "da": ["Ja", "Måske", "Nej"],
        },
    ),
    (
        TEXT,
        False,
        {
            "sv": "Vad har mentorskapet betytt för ditt ledarskap?",
            "en": "What has the mentorship meant for your leadership?",
            "da": "Hvad har mentorforløbet betydet for din ledelse?",
        },
        None,
    ),
    (
        TEXT,
        False,
        {
            "sv": "Vad ska vi ändra till nästa år?",
            "en": "What should we change for next year?",
            "da": "Hvad skal vi ændre til næste år?",
        },
        None,
    ),
]

SETS = {"half_time": HALF_TIME, "final": FINAL}


def default_questions(phase: str) -> list[dict]:
    """Field values of the default questions for a phase ("other" starts from half-time)."""
    return [
        {
            "position": position,
            "kind": kind,
            "required": required,
            **{f"text_{code}": value for code, value in texts.items()},
            **{f"choices_{code}": "\n".join(value) for code, value in (options or {}).items()},
        }
        for position, (kind, required, texts, options) in enumerate(
            SETS.get(phase, HALF_TIME), start=1
        )
    ]
