"""One router per resource; ``groundstation.api.main`` includes them all."""
