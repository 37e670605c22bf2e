"""The web console the station serves at ``/console/``: static HTML/JS/CSS, the offline map
library (Debian's Leaflet) and the console's own settings.

    app.include_router(console_router(settings))
"""

from groundstation.console._router import console_router

__all__ = ["console_router"]
