"""The heads-up display of a video frame: top left the clip, checkpoint, layers used, MPJPE of the
frame and the clip and the error colour key; bottom left which colour is which; bottom right the
clip's frame and time.

Laid out once per video (the panel keeps its size while the numbers change) and the text that does
not change is rasterised once into masks, so a frame costs a shaded panel, three pastes and the two
lines that do change.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from core.render import style
from core.render.scene import Scene

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


class Hud:
    def __init__(self, scene: Scene, size: tuple[int, int], scale_mm: float) -> None:
        self.c = scene
        self.size = size
        u = self.unit = size[1] / 720.0
        self.font = ImageFont.load_default(size=max(10, round(17 * u)))
        title = ImageFont.load_default(size=max(11, round(21 * u)))
        self.small = ImageFont.load_default(size=max(10, round(14 * u)))
        has_recon = scene.errors is not None
        self.frame_mpjpe = scene.frame_mpjpe_mm() if has_recon else None
        self.clip_mpjpe = scene.clip_mpjpe_mm() if has_recon else 0.0

        # The panel's lines: (text, font, colour); None is the per-frame MPJPE line.
        lines: list[tuple[str | None, Font, style.RGB]] = [(scene.clip_name, title, style.TEXT)]
        if not has_recon:
            lines.append(("Original only (no checkpoint)", self.font, style.DIM_TEXT))
        else:
            c = scene
            what = "Root-aligned MPJPE" if c.aligned else "MPJPE (decoded root path)"
            if c.measured_what:
                what += f" of the {c.measured_what}"
            lines += [
                (f"{c.checkpoint_name} · {c.layers} of {c.num_quantizers} layers", self.font, style.TEXT),
                (what, self.small, style.DIM_TEXT),
                (None, self.font, style.TEXT),
            ]
        pad, gap = round(10 * u), round(4 * u)
        line_h = [_line_height(font) for _, font, _ in lines]
        widest_numbers = self._mpjpe_text(8888.8)
        widths = [font.getlength(text if text is not None else widest_numbers) for text, font, _ in lines]
        labels = sum(self.small.getlength(text) for text in ("0 mm", f"{scale_mm:g}", f"{scale_mm:g}+"))
        legend_w = round(max(190 * u, labels + 4 * self.small.getlength("  ")))
        legend = _gradient(legend_w, max(5, round(9 * u))) if has_recon else None
        legend_h = legend.height + gap + _line_height(self.small) if legend is not None else 0
        width = round(max(widths + [legend.width if legend else 0]) + 2 * pad)
        height = round(sum(line_h) + gap * (len(lines) - 1) + (legend_h + gap if legend else 0) + 2 * pad)
        self.origin = (round(12 * u), round(12 * u))
        self.panel = (0, 0, min(width, size[0] - self.origin[0]), min(height, size[1] - self.origin[1]))

        # What never changes, drawn once: text masks per colour and the colour key.
        self.text_mask = Image.new("L", (width, height))
        self.dim_mask = Image.new("L", (width, height))
        masks = {style.TEXT: ImageDraw.Draw(self.text_mask), style.DIM_TEXT: ImageDraw.Draw(self.dim_mask)}
        self.legend = legend
        self.mpjpe_at: tuple[int, int] | None = None
        y = pad
        for (text, font, color), h in zip(lines, line_h, strict=True):
            if text is None:
                self.mpjpe_at = (pad, y)
            else:
                masks[color].text((pad, y), text, font=font, fill=255)
            y += h + gap
        if legend is not None:
            self.legend_at = (pad, round(y + gap / 2))
            y += legend.height + gap
            dim = masks[style.DIM_TEXT]
            mid, high = f"{scale_mm / 2:g}", f"{scale_mm:g}+"  # the bundled font has no ≥
            dim.text((pad, y), "0 mm", font=self.small, fill=255)
            dim.text(
                (pad + (legend.width - self.small.getlength(mid)) / 2, y), mid, font=self.small, fill=255
            )
            dim.text((pad + legend.width - self.small.getlength(high), y), high, font=self.small, fill=255)
        self._key = self._key_layer()
        self.box = (*self.origin, self.origin[0] + self.panel[2], self.origin[1] + self.panel[3])
        """The panel's left, top, right and bottom in pixels."""
        self.key_top = min(self._key[2][1], self.stamp_y)
        """Where the colour key at the bottom starts."""

    @staticmethod
    def _mpjpe_text(frame_mm: float, clip_mm: float | None = None) -> str:
        clip = frame_mm if clip_mm is None else clip_mm
        return f"frame {frame_mm:.1f} mm  ·  clip {clip:.1f} mm"

    def _key_layer(self) -> tuple[Image.Image, list[tuple[tuple[float, ...], style.RGB]], tuple[int, int]]:
        """Bottom left: a swatch and a name per skeleton (text mask, swatch boxes, where)."""
        u, f = self.unit, self.small
        keys = [("Original", style.ORIGINAL)]
        if self.frame_mpjpe is not None:
            keys.append(("Reconstruction", style.RECONSTRUCTION))
        h = _line_height(f)
        box, space = round(10 * u), round(6 * u)
        width = round(sum(box + space + f.getlength(t) + 18 * u for t, _ in keys))
        mask = Image.new("L", (max(width, 1), h))
        draw = ImageDraw.Draw(mask)
        swatches, x = [], 0.0
        for text, color in keys:
            top = (h - box) / 2 + round(2 * u)
            swatches.append(((x, top, x + box, top + box), color))
            draw.text((x + box + space, 0), text, font=f, fill=255)
            x += box + space + f.getlength(text) + round(18 * u)
        margin = round(14 * u)
        y = self.size[1] - margin - h
        # The frame stamp goes at the right of the key's line, or on a line above when they would meet.
        widest = f"frame {self.c.num_frames - 1} / {self.c.num_frames - 1}  ·  {(self.c.num_frames - 1) / self.c.fps:.2f} s"
        beside = 2 * margin + width + f.getlength(widest) <= self.size[0]
        self.stamp_y = y if beside else y - h - round(6 * u)
        return mask, swatches, (margin, y)

    def draw(self, image: Image.Image, t: int) -> None:
        x0, y0 = self.origin
        _shade(image, (x0, y0, x0 + self.panel[2], y0 + self.panel[3]))
        image.paste(style.TEXT, (x0, y0), self.text_mask)
        image.paste(style.DIM_TEXT, (x0, y0), self.dim_mask)
        draw = ImageDraw.Draw(image)
        if self.legend is not None:
            image.paste(self.legend, (x0 + self.legend_at[0], y0 + self.legend_at[1]))
        if self.frame_mpjpe is not None and self.mpjpe_at is not None:
            text = self._mpjpe_text(float(self.frame_mpjpe[t]), self.clip_mpjpe)
            draw.text((x0 + self.mpjpe_at[0], y0 + self.mpjpe_at[1]), text, font=self.font, fill=style.TEXT)
        mask, swatches, (kx, ky) = self._key
        for (a, b, c, d), color in swatches:
            draw.rectangle((kx + a, ky + b, kx + c, ky + d), fill=color)
        image.paste(style.TEXT, (kx, ky), mask)
        stamp = f"frame {t} / {self.c.num_frames - 1}  ·  {t / self.c.fps:.2f} s"
        margin = round(14 * self.unit)
        draw.text(
            (self.size[0] - margin - self.small.getlength(stamp), self.stamp_y),
            stamp,
            font=self.small,
            fill=style.DIM_TEXT,
        )


def _line_height(font: Font) -> int:
    return int(font.getbbox("Ag")[3])


def _shade(image: Image.Image, box: tuple[int, int, int, int]) -> None:
    """Darken ``box`` towards the panel colour, so text reads over grid and bones."""
    x0, y0, x1, y1 = box
    x1, y1 = min(x1, image.width), min(y1, image.height)
    if x1 <= x0 or y1 <= y0:
        return
    region = image.crop((x0, y0, x1, y1))
    image.paste(
        Image.blend(region, Image.new("RGB", region.size, style.HUD_PANEL), style.HUD_OPACITY), (x0, y0)
    )


def _gradient(width: int, height: int) -> Image.Image:
    """The colour key: the error map from 0 to the top of the scale, left to right."""
    row = style.error_colors(np.linspace(0.0, 1.0, width))
    return Image.fromarray(np.ascontiguousarray(np.broadcast_to(row, (height, width, 3))))
