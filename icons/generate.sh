#!/usr/bin/env bash
# Regenerates the app icons (RGBA PNGs; tauri's generate_context! rejects RGB) with ImageMagick.
set -euo pipefail
cd "$(dirname "$0")"

# A patch cord: a cubic Bezier traced with discs, since IM6's wide curve strokes are ragged.
cord() { # colour x0 y0 x1 y1 x2 y2 x3 y3
  awk -v c="$1" -v x0="$2" -v y0="$3" -v x1="$4" -v y1="$5" -v x2="$6" -v y2="$7" -v x3="$8" -v y3="$9" 'BEGIN {
    printf "fill %s ", c
    for (i = 0; i <= 200; i++) {
      t = i / 200; u = 1 - t
      x = u*u*u*x0 + 3*u*u*t*x1 + 3*u*t*t*x2 + t*t*t*x3
      y = u*u*u*y0 + 3*u*u*t*y1 + 3*u*t*t*y2 + t*t*t*y3
      printf "circle %.1f,%.1f %.1f,%.1f ", x, y, x, y + 17
    }
  }'
}

jack() { # x y: a patch-panel jack (ring + hole)
  printf 'fill #e2e8f0 circle %d,%d %d,%d fill #0f172a circle %d,%d %d,%d ' \
    "$1" "$2" "$1" $(($2 + 42)) "$1" "$2" "$1" $(($2 + 16))
}

convert -size 512x512 xc:none \
  -fill '#1e293b' -draw 'roundrectangle 16,16 495,495 104,104' \
  -draw "$(cord '#38bdf8' 144 160 144 320 368 192 368 352)" \
  -draw "$(cord '#f59e0b' 256 160 256 260 144 250 144 352)" \
  -draw "$(jack 144 160)$(jack 256 160)$(jack 368 160)$(jack 144 352)$(jack 256 352)$(jack 368 352)" \
  PNG32:icon.png

convert icon.png -resize 32x32 PNG32:32x32.png
convert icon.png -resize 128x128 PNG32:128x128.png
convert icon.png -resize 256x256 PNG32:128x128@2x.png
