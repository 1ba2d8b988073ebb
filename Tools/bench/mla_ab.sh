#!/bin/sh
# A/B of two versions of CKernels/mla_attention_amx.c, alternated call by call (Tools/bench/mla_ab.c):
#   mla_ab.sh A.c B.c [LEN] [ITERS] [TOKENS]
# e.g. git show main:Sources/CKernels/mla_attention_amx.c > /tmp/a.c; mla_ab.sh /tmp/a.c Sources/CKernels/mla_attention_amx.c
set -e
[ $# -ge 2 ] || { echo "usage: mla_ab.sh A.c B.c [LEN] [ITERS] [TOKENS]" >&2; exit 2; }
root=$(cd "$(dirname "$0")/../.." && pwd)
a=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
b=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
shift 2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cc=${CC:-clang}
flags="-O3 -fno-strict-aliasing -I$root/Sources/CKernels/include -I$root/Sources/CKernels"
$cc $flags -Dck_mla_part_amx=variant_a -c "$a" -o "$dir/a.o"
$cc $flags -Dck_mla_part_amx=variant_b -c "$b" -o "$dir/b.o"
$cc $flags "$root"/Sources/CKernels/*.c "$dir/a.o" "$dir/b.o" "$root/Tools/bench/mla_ab.c" -o "$dir/mla_ab" -lpthread -lm
"$dir/mla_ab" "$@"
