"""The web console the station serves at ``/console/``: static HTML/JS/CSS, the offline map
library (Debian's Leaflet) and the console's own settings.

    app.include_router(console_router(settings))

It also offers the route-drawing API the pilots' panel uses (``routeplan_router``, under /api).
"""

from groundstation.console._routeplan import RouteCheck, RouteDraft, routeplan_router
from groundstation.console._router import console_router

__all__ = ["RouteCheck", "RouteDraft", "console_router", "routeplan_router"]
