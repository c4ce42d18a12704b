#!/usr/bin/env bash
# CPU check of the CUDA kernels (no GPU needed): needs g++ (C++20), python3 and numpy.
# Takes about a minute: every CUDA thread of a synchronising kernel is an OS thread here.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
KERNELS=$HERE/../../core-tensor/src/main/resources/dev/jerex/tensor/backend/cuda
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
LIB=$TMP/libemu.so
g++ -std=c++20 -O1 -fPIC -shared -Wno-unknown-pragmas -I "$KERNELS" -include "$HERE/emu.h" "$HERE/all.cpp" -o "$LIB" -lpthread
python3 "$HERE/check.py" "$LIB"
