"""The interactive dashboard (Mesa SolaraViz), served by `catchup dashboard`; see `app.py`.

Needs the optional `dashboard` extra (solara); nothing else in catchup imports it.
"""
