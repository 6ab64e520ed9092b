#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Draw the schedule figures of the README and the guides with sgdr-schedule.
#   bash docs/figures/make-figures.sh TOOL [DIR]
# TOOL is a built sgdr-schedule; DIR defaults to this directory. scripts/checks/80-docs.sh
# draws them again and checks that the committed files are what the tool draws.
set -euo pipefail
tool=$1
dir=${2:-$(dirname "$0")}

# The SGDR paper's setting: T_0 = 10 epochs, T_mult = 2 (cycles of 10, 20, 40, 80 epochs).
"$tool" --min-lr 0 --max-lr 0.05 --steps-per-epoch 391 --cycle-length 10 --mult-factor 2 \
  --epochs 150 --format svg >"$dir/sgdr-paper.svg"
# Warm-up, then cycles growing by half and peaks decaying by 0.7.
"$tool" --min-lr 0.0001 --max-lr 0.1 --steps-per-epoch 100 --warmup-epochs 3 \
  --warmup-start-lr 0.001 --cycle-length 5 --mult-factor 1.5 --lr-decay 0.7 --epochs 60 \
  --format svg >"$dir/warmup-decay.svg"
# Equal cycles for snapshot ensembles, then a hold at min_lr after max_cycles.
"$tool" --min-lr 0.001 --max-lr 0.1 --steps-per-epoch 50 --cycle-length 6 --mult-factor 1 \
  --max-cycles 4 --epochs 30 --format svg >"$dir/fixed-cycles-hold.svg"
# peak and keras-seed restarts, close up: 4 batches per epoch, cycles of 1, 2, 4 epochs.
for mode in peak keras-seed; do
  "$tool" --min-lr 0.01 --max-lr 0.1 --steps-per-epoch 4 --cycle-length 1 --mult-factor 2 \
    --lr-decay 0.8 --epochs 7 --restart-mode "$mode" --format svg >"$dir/restart-$mode.svg"
done
