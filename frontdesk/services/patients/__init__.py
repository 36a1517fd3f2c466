"""Patient records kept right: their details checked field by field (``checks``), an edit
against the version seen (``edit``), the records that may be the same person
(``duplicates``), two records of one person made one (``merge``) and the record a merged id
now lives in (``lookup``). Nothing is imported here: each module is imported where it is used.
"""
