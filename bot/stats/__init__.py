"""The officers' figures: counted here (`campaigns`, `overview`), rendered apart (`render`).

Features (/classstats, /stats) and exports call these modules; nothing here speaks to a person
or imports a feature.
"""
