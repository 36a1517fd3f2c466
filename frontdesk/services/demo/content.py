"""The demo practice's synthetic content: places, people, payers and the week's visit mix.

Every name is made up. Kept apart from the generator (the rest of this package) so either can
change alone.
"""

from __future__ import annotations

from datetime import time

from frontdesk.domain.calls import CallOutcome, CallReason
from frontdesk.domain.model import ProviderKind, Role

#: (name, address). The first five are the demo practice; the rest let the benchmark grow.
PLACES: tuple[tuple[str, str], ...] = (
    ("Tulsa Midtown", "2250 E 21st St, Suite 300, Tulsa, OK 74114"),
    ("Tulsa South", "9120 S Yale Ave, Suite 110, Tulsa, OK 74137"),
    ("Broken Arrow", "1440 W Kenosha St, Suite 200, Broken Arrow, OK 74012"),
    ("Owasso", "12600 E 96th St N, Suite 105, Owasso, OK 74055"),
    ("Bartlesville", "3820 SE Adams Rd, Suite B, Bartlesville, OK 74006"),
    ("Sand Springs", "310 N Main St, Suite 2, Sand Springs, OK 74063"),
    ("Jenks", "505 W Main St, Suite 120, Jenks, OK 74037"),
    ("Bixby", "12100 S Memorial Dr, Suite 300, Bixby, OK 74008"),
    ("Claremore", "1800 N Lynn Riggs Blvd, Suite 4, Claremore, OK 74017"),
    ("Sapulpa", "1025 E Dewey Ave, Suite 110, Sapulpa, OK 74066"),
    ("Muskogee", "2400 W Shawnee St, Suite 210, Muskogee, OK 74401"),
    ("Glenpool", "14200 S Casper St, Suite 5, Glenpool, OK 74033"),
)

#: (name, username, role): the demo's staff, one per role.
DEMO_STAFF: tuple[tuple[str, str, Role], ...] = (
    ("Rita Fairbanks", "rita", Role.RECEPTIONIST),
    ("Sam Holloway", "sam", Role.SCHEDULER),
    ("Maria Castellano", "maria", Role.MANAGER),
    ("Adam Pruett", "adam", Role.ADMIN),
)


def demo_password(username: str) -> str:
    """Each demo account's documented password (README, "Demo accounts"): rita-demo-2027."""
    return f"{username}-demo-2027"

GIVEN = ("Avery", "Blair", "Casey", "Dana", "Emery", "Finley", "Harper", "Jordan", "Kendall",
          "Logan", "Morgan", "Parker", "Quinn", "Reese", "Rowan", "Sage", "Skyler", "Taylor")
PROVIDER_SURNAMES = ("Redbud", "Bluestem", "Cottonwood", "Sandhill", "Prairie", "Tallgrass",
                      "Blackjack", "Mesquite", "Flintridge", "Cimarron", "Pecanwood", "Sumac",
                      "Bluebonnet", "Caddo", "Ironweed", "Kiamichi", "Windmill", "Saltfork",
                      "Buffalograss", "Hackberry")
FIRST = ("Alma", "Bert", "Carla", "Dale", "Edna", "Floyd", "Gail", "Hank", "Irene", "Jack",
          "Kay", "Lloyd", "Mabel", "Ned", "Opal", "Pete", "Rhonda", "Stan", "Trudy", "Vern",
          "Wanda", "Alan", "Bonnie", "Curtis", "Delia", "Earl", "Faye", "Glen", "Hazel", "Ivan",
          "Joy", "Kurt", "Lorna", "Milo", "Nora", "Otis", "Pearl", "Roy", "Sue", "Ty")
LAST = ("Ashgrove", "Birchfield", "Cedarholt", "Dunwiddie", "Elmcrest", "Fernwick", "Gladstow",
         "Hollowmere", "Inkberry", "Juneway", "Kettleby", "Larchmont", "Mossgrove", "Nettlefold",
         "Oakenshaw", "Pebbleton", "Quillfeather", "Rushwater", "Sorrelby", "Thistlewood",
         "Umberfield", "Vetchley", "Wrenfield", "Yarrowby", "Zinnerman", "Applecross",
         "Brambleton", "Corrigan-Vale", "Dovecote", "Emberlin")
PAYERS = (("Medicare", 34), ("Medicare Advantage", 20), ("SoonerCare", 12),
           ("BlueCross BlueShield of Oklahoma", 18), ("Aetna", 10), ("Self-pay", 6))
TIME_OFF = ("Vacation", "Conference", "Personal day", "CME course", "Family leave")
CANCEL_REASONS = ("Patient feeling better", "Patient ill", "No transportation",
                   "Work conflict", "Weather", "Insurance authorization pending",
                   "Provider unavailable; clinic will reschedule", "Family emergency")

#: Relative frequency of each visit type by who performs it: a pain practice's week.
MIX: dict[ProviderKind, dict[str, int]] = {
    ProviderKind.PHYSICIAN: {"new-patient": 10, "follow-up": 20, "facet-diagnostic": 16,
                             "facet-therapeutic": 10, "rfa-consult": 6, "rfa": 8,
                             "trigger-point": 10, "med-management": 20},
    ProviderKind.APP: {"new-patient": 15, "follow-up": 35, "trigger-point": 15,
                       "med-management": 35},
    ProviderKind.THERAPIST: {"massage": 1},
}
LEVELS = {
    "lumbar": ("L3-L4", "L4-L5", "L5-S1", "L3-L4, L4-L5", "L4-L5, L5-S1"),
    "cervical": ("C3-C4", "C4-C5", "C5-C6", "C6-C7", "C4-C5, C5-C6", "C5-C6, C6-C7"),
    "thoracic": ("T10-T11", "T11-T12", "T10-T11, T11-T12"),
}
HOME_DAYS, AWAY_DAYS = (0, 2, 4), (1, 3)  # Mon/Wed/Fri at home, Tue/Thu away
BYDAY = ("MO", "TU", "WE", "TH", "FR")
BLOCKS = ((time(8), time(12)), (time(13), time(17)))  # a lunch break between
MAX_PHONES = 2 * 9800

#: Why a caller rang, by the visit type the call booked: (call reason, weight).
BOOKING_REASONS: dict[str, tuple[tuple[str, int], ...]] = {
    "new-patient": ((CallReason.NEW_PROBLEM, 1),),
    "facet-therapeutic": ((CallReason.INJECTION_REPORT, 3), (CallReason.ORDERED_VISIT, 1)),
    "rfa-consult": ((CallReason.INJECTION_REPORT, 3), (CallReason.ORDERED_VISIT, 1)),
    "facet-diagnostic": ((CallReason.ORDERED_VISIT, 1),),
    "rfa": ((CallReason.ORDERED_VISIT, 1),),
}
OTHER_BOOKING_REASONS = ((CallReason.ORDERED_VISIT, 7), (CallReason.OTHER, 3))
#: The calls that booked nothing: why they rang and how they ended.
UNBOOKED_REASONS = ((CallReason.TREATMENT_QUESTION, 4), (CallReason.CHANGE_VISIT, 3),
                    (CallReason.OTHER, 3))
UNBOOKED_OUTCOMES = ((CallOutcome.INFORMATION, 45), (CallOutcome.CALLBACK, 25),
                     (CallOutcome.DECLINED, 18), (CallOutcome.TRANSFERRED, 12))
#: The payer rules (``Problem.rule``) a booking of each procedure could break.
OVERRIDE_RULES: dict[str, tuple[str, ...]] = {
    "facet-diagnostic": ("blocks", "limit"),
    "facet-therapeutic": ("blocks", "repeat", "limit"),
    "rfa": ("blocks", "repeat", "limit"),
}
#: Why a scheduler or manager overrode a payer rule: synthetic wording, no patient details.
OVERRIDE_REASONS: dict[str, tuple[str, ...]] = {
    "blocks": ("Earlier block done at another clinic; records received and scanned",
               "Physician order on file; payer pre-approved the procedure",
               "Payer approved an exception by phone (reference noted in chart)"),
    "repeat": ("Physician documented longer relief than the report shows; payer pre-approved",
               "Payer approved an exception by phone (reference noted in chart)"),
    "limit": ("Physician documented a new injury; prior authorization on file",
              "Payer approved an exception by phone (reference noted in chart)",
              "Earlier session was stopped before the injection; payer confirmed by phone"),
}
