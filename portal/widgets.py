"""Form widgets of the portal: map editors for points, areas and routes that need no GDAL.

django-leaflet's own form widgets import GeoDjango (and so the GDAL system library); these are
plain inputs that `static/portal/js/mapwidget.js` enhances with a Leaflet map:

- `PointMapWidget` goes on the longitude input of a (lat, lng) pair: both stay ordinary number
  inputs (the form works without JavaScript) and a map below them sets both on a click or a drag.
- `AreaMapWidget` / `LineMapWidget` are textareas holding GeoJSON text that stays editable by hand;
  the map draws and edits the polygon(s) or the route with the vendored Leaflet.draw.

Validation is not done here: the models' `clean()` validates through `portal.geo`, and the form
shows its errors on the field.
"""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

MAP_MEDIA_CSS = ["leaflet/leaflet.css", "vendor/leaflet-draw/leaflet.draw.css"]
# Leaflet itself comes from django-leaflet's static files (never a CDN). A form page renders
# `{{ form.media }}` and not `{% leaflet_js %}` as well, so that Leaflet is loaded once.
MAP_MEDIA_JS = ["leaflet/leaflet.js", "vendor/leaflet-draw/leaflet.draw.js", "portal/js/mapwidget.js"]


def map_settings() -> dict:
    """The tile layer, centre and bounds the map widgets start from (the same settings as the pages' maps)."""
    return {
        "tileUrl": settings.MAP_TILE_URL,
        "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
        "tileSubdomains": settings.MAP_TILE_SUBDOMAINS,
        "center": list(settings.MAP_CENTER),
        "bounds": list(settings.GEO_BOUNDS),
    }


class MapWidgetMixin:
    """Marks a widget as a map editor (templates load Leaflet for forms that have one)."""

    is_map_widget = True

    class Media:
        css = {"all": MAP_MEDIA_CSS}
        js = MAP_MEDIA_JS

    def map_div(self, **data) -> str:
        attrs = {f"data-{key.replace('_', '-')}": value for key, value in data.items()}
        attrs.update(
            {
                "data-map-widget": "",
                "data-map-settings": json.dumps(map_settings()),
                "role": "application",
                "aria-label": _("Map editor"),
            }
        )
        return format_html('<div class="map-canvas small map-widget my-2"{}></div>', flatatt(attrs))


class PointMapWidget(MapWidgetMixin, forms.NumberInput):
    """The longitude input of a (lat, lng) pair, followed by a map: a click or a drag sets both inputs.

    Both stay ordinary number inputs, so the form works without JavaScript.
    """

    def __init__(self, attrs=None, *, lat_field: str = "lat", lng_field: str = "lng"):
        super().__init__({"step": "any", "inputmode": "decimal", **(attrs or {})})
        self.lat_field, self.lng_field = lat_field, lng_field

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        own_id = (attrs or {}).get("id") or f"id_{name}"
        # the lat input's id differs from ours only in the field name (a form prefix is kept)
        lat_id = own_id[: -len(self.lng_field)] + self.lat_field if own_id.endswith(self.lng_field) else "id_lat"
        hint = format_html(
            '<div class="form-text">{}</div>',
            _("Click the map or drag the marker to set the point, or type the numbers."),
        )
        return format_html("{}{}{}", html, self.map_div(kind="point", lat_input=lat_id, lng_input=own_id), hint)


class GeoJSONMapWidget(MapWidgetMixin, forms.Textarea):
    """GeoJSON text in a textarea, drawn and edited on a map (`geometry` is "area" or "line")."""

    geometry = "area"
    hint = ""

    def __init__(self, attrs=None):
        super().__init__({"rows": 4, "class": "font-monospace small", "spellcheck": "false", **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        own_id = (attrs or {}).get("id") or f"id_{name}"
        hint = format_html('<div class="form-text mb-1">{}</div>', self.hint) if self.hint else ""
        return format_html("{}{}{}", self.map_div(kind=self.geometry, input=own_id), hint, html)


class AreaMapWidget(GeoJSONMapWidget):
    """A GeoJSON Polygon/MultiPolygon: draw or edit polygons and rectangles on the map."""

    geometry = "area"
    hint = _("Draw the area with the polygon or rectangle tool and drag its corners, or edit the GeoJSON below.")


class LineMapWidget(GeoJSONMapWidget):
    """A GeoJSON LineString (a patrol route): draw or edit one line on the map."""

    geometry = "line"
    hint = _("Draw the route with the line tool, or edit the GeoJSON LineString below.")


class DateTimeLocalInput(forms.DateTimeInput):
    """A native date-and-time picker (phones show their own); the value is in the user's time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class ColourInput(forms.TextInput):
    input_type = "color"


def draw_locale() -> dict:
    """Leaflet.draw's texts in the user's language, merged into `L.drawLocal` by mapwidget.js."""
    return {
        "draw": {
            "toolbar": {
                "actions": {"title": _("Cancel drawing"), "text": _("Cancel")},
                "finish": {"title": _("Finish drawing"), "text": _("Finish")},
                "undo": {"title": _("Delete last point drawn"), "text": _("Delete last point")},
                "buttons": {
                    "polyline": _("Draw a route"),
                    "polygon": _("Draw a polygon"),
                    "rectangle": _("Draw a rectangle"),
                },
            },
            "handlers": {
                "polygon": {
                    "tooltip": {
                        "start": _("Click to start drawing the area."),
                        "cont": _("Click to continue drawing the area."),
                        "end": _("Click the first point to close the area."),
                    }
                },
                "polyline": {
                    "error": _("Error: the edges of an area can't cross."),
                    "tooltip": {
                        "start": _("Click to start drawing the route."),
                        "cont": _("Click to continue drawing the route."),
                        "end": _("Click the last point to finish the route."),
                    },
                },
                "rectangle": {"tooltip": {"start": _("Click and drag to draw a rectangle.")}},
                "simpleshape": {"tooltip": {"end": _("Release the mouse to finish drawing.")}},
            },
        },
        "edit": {
            "toolbar": {
                "actions": {
                    "save": {"title": _("Keep the changes."), "text": _("Done")},
                    "cancel": {"title": _("Cancel editing, discard the changes."), "text": _("Cancel")},
                    "clearAll": {"title": _("Clear everything drawn."), "text": _("Clear all")},
                },
                "buttons": {
                    "edit": _("Edit the shape"),
                    "editDisabled": _("Nothing to edit."),
                    "remove": _("Delete a shape"),
                    "removeDisabled": _("Nothing to delete."),
                },
            },
            "handlers": {
                "edit": {
                    "tooltip": {
                        "text": _("Drag the handles to change the shape."),
                        "subtext": _("Click cancel to undo the changes."),
                    }
                },
                "remove": {"tooltip": {"text": _("Click a shape to delete it.")}},
            },
        },
    }
