"""A phone number as the practice stores it (E.164), read from whatever a person or a phone
system typed: the one reading for patient records and for the caller pop. No database code
here (the caller pop's hand-over must not load it); phonenumbers loads when first needed."""

from __future__ import annotations

from frontdesk.services.errors import InvalidInput

MAX_PHONE = 30
EXAMPLE = "918-555-0142"


def e164(raw: str, field: str = "phone") -> str:
    """E.164 for a US (or explicitly international) number; InvalidInput(``field``) otherwise.
    The message never repeats the number: it is a patient's detail."""
    import phonenumbers

    text = raw.strip()
    if not text or len(text) > MAX_PHONE:
        raise InvalidInput(field, f"enter a phone number, e.g. {EXAMPLE}")
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        raise InvalidInput(field, f"that is not a phone number; e.g. {EXAMPLE}") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(field, "not a valid phone number: check the area code and the "
                                  f"number of digits, e.g. {EXAMPLE}")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
