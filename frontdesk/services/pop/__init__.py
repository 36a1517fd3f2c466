"""The caller pop: the practice's phone system says who is calling (``frontdesk call
--from``), through a local channel only the same OS user can reach (``channel``), and the
patients that number belongs to are found (``callers``). Nothing is imported here."""
