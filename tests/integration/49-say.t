#!/bin/bash
# 49-say.t — `tramdo say`, the command the kiosk speaks through: a WAV of the Vietnamese voice,
# allowed as root, "--" before a text that looks like an option, and a clear message and exit
# status 1 for each failure (no voice data, no sound device, a file it cannot write).
# The rendering's length and loudness are checked in tests/unit/test_speech.c.
. "$(dirname "$0")/lib.sh"

plan 15

# wav_info FILE: "channels bits rate seconds" of a WAV file, or nothing when it is not one.
wav_info() {
	python3 - "$1" <<'EOF' 2>/dev/null
import sys, wave
w = wave.open(sys.argv[1])
print(w.getnchannels(), 8 * w.getsampwidth(), w.getframerate(),
      round(w.getnframes() / w.getframerate(), 2))
EOF
}

# The binary itself, without the --allow-root wrapper: `say` writes no state of tramdo's.
out=$("$TRAMDO_BIN" say --wav "$T_TMP/hello.wav" Xin chào quý vị 2>&1); rc=$?
is "$rc" 0 "say --wav: exit 0 (as uid $(id -u), without --allow-root)"
is "$out" "" "say --wav: prints nothing"
read -r ch bits rate secs <<<"$(wav_info "$T_TMP/hello.wav")"
is "$ch $bits" "1 16" "say --wav: a mono 16-bit WAV"
num_ok "${rate:-0} >= 8000 and ${secs:-0} > 0.5 and ${secs:-0} < 10" \
    "say --wav: 'Xin chào quý vị' lasts ${secs:-?} s at ${rate:-?} Hz"

# After "--" every word is the text, even one that main.c would take for a global option.
"$TRAMDO" say --lang en --wav "$T_TMP/opt.wav" -- --log 2>"$T_TMP/opt.err"; rc=$?
is "$rc" 0 "say -- --log: the text '--log' is spoken, not taken for --log FILE"
"$TRAMDO" say --wav "$T_TMP/c.wav" -- -c >/dev/null 2>&1; rc=$?
is "$rc" 0 "say -- -c: the text '-c' is spoken"

out=$("$TRAMDO" say --wav /nonexistent/dir/x.wav Xin chào 2>&1); rc=$?
is "$rc" 1 "unwritable WAV path: exit 1"
is "$out" "tramdo say: cannot write /nonexistent/dir/x.wav: No such file or directory" \
    "unwritable WAV path: says which file and why"

# espeak-ng looks for its data in $ESPEAK_DATA_PATH first: an empty directory has none.
mkdir "$T_TMP/no-data"
out=$(ESPEAK_DATA_PATH=$T_TMP/no-data "$TRAMDO" say --wav "$T_TMP/none.wav" Xin chào 2>&1); rc=$?
is "$rc" 1 "no voice data: exit 1"
like "$out" "cannot load espeak-ng's voice data \(is the package espeak-ng-data installed\?\)" \
    "no voice data: names the package"
ok "$([ -e "$T_TMP/none.wav" ] && echo 1 || echo 0)" "no voice data: no WAV file left behind"

# Playing needs a sound device (ALSA) or a PulseAudio server; CI machines have neither.
if [ -e /dev/snd ] || [ -n "${PULSE_SERVER:-}" ] || [ -S "${XDG_RUNTIME_DIR:-/nonexistent}/pulse/native" ]; then
	ok 0 "# SKIP this machine has a sound device: playing would succeed"
	ok 0 "# SKIP this machine has a sound device: playing would succeed"
else
	out=$("$TRAMDO" say Xin chào 2>&1); rc=$?
	is "$rc" 1 "no sound device: exit 1"
	like "$(tail -n 1 <<<"$out")" "^tramdo say: no sound device to play on \(--wav FILE writes a file instead\)" \
	    "no sound device: the last line says so and names --wav"
fi

out=$("$TRAMDO" say 2>&1); rc=$?
is "$rc" 2 "say without a text: usage, exit 2"
like "$("$TRAMDO_BIN" --help)" "tramdo \[-c FILE\] say \[--lang vi\|en\] \[--wav FILE\] TEXT" \
    "--help lists say"

done_testing
