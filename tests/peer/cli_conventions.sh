#!/bin/sh
# The command line's own conventions, tried as a new user would: results
# on stdout and the rest on stderr, --json anywhere (usage errors too),
# "did you mean" for commands, options, spec keys and programmers, each
# command taking only its own options, the families' options checked
# against the device's family, cases removed only on the user's word, the
# devices list, and bash completion from the same tables.
. "$(dirname "$0")/lib.sh"
need python3 sqlite3 bash
MAKE_CHIP="$SRCDIR/tests/board/make-spi-chip"
CHIP="$T/chip.bin"
DEV="spi:flashrom:dummy,emulate=W25Q128FV,image=$CHIP"
P=spi-router-16m
"$MAKE_CHIP" router "$CHIP"

# isjson DESCRIPTION: $T/out is exactly one JSON object.
isjson() {
	if python3 -c 'import json,sys; s=open(sys.argv[1]).read(); assert s.count("\n") == 1; assert isinstance(json.loads(s), dict)' "$T/out" 2>/dev/null; then
		echo "ok: $1"
	else
		echo "FAIL: $1: stdout is not one JSON object:"; cat "$T/out"
		FAILS=$((FAILS + 1))
	fi
}

# --- results on stdout ---
expect_exit 0 "a case opened" -- "$UNBRICK" case new --model wr-100 --serial SN1
expect_grep '^case 1 opened: .*/cases/' "$T/out" "its id and folder are on stdout"
"$UNBRICK" cases >"$T/list" 2>"$T/err"
[ -s "$T/list" ] && echo "ok: unbrick cases > file is not empty" || { echo "FAIL: unbrick cases printed nothing on stdout"; FAILS=$((FAILS + 1)); }
expect_grep '^ +1 .*wr-100 +SN1 +open' "$T/list" "the case is in the list"
expect_exit 0 "case show" -- "$UNBRICK" case show 1
expect_grep '^case 1: wr-100 SN1' "$T/out" "on stdout"
expect_exit 0 "report" -- "$UNBRICK" report 1
expect_grep '/report\.md$' "$T/out" "the report's path is on stdout"
expect_exit 0 "report --json (every command takes it)" -- "$UNBRICK" report 1 --json
expect_json 'j["ok"] and j["report"].endswith("report.md")' "the path in the JSON object"
expect_exit 0 "identify a chip" -- "$UNBRICK" identify --device "$DEV" --profile $P
expect_grep '^hardware: ' "$T/out" "the identity is on stdout"
expect_exit 0 "identify --json" -- "$UNBRICK" identify --device "$DEV" --profile $P --json
isjson "with --json stdout is the object alone"

# --- usage errors: exit 2, JSON with --json wherever it is on the line ---
for line in "identify --json --bogus" "identify --bogus --json" "chekc --json" "verify --json --unlock x img" \
	"case prune --status opne --json"; do
	# shellcheck disable=SC2086
	expect_exit 2 "unbrick $line" -- "$UNBRICK" $line
	isjson "unbrick $line: the usage error is one JSON object"
	expect_json 'j["ok"] is False and j["exit"] == 2 and j["error"]["code"] == "usage" and j["error"]["message"]' "it says what is wrong"
done
expect_exit 2 "a misspelt command" -- "$UNBRICK" chekc
expect_grep "did you mean 'check'" "$T/err" "suggests check"
expect_exit 2 "a misspelt option" -- "$UNBRICK" identify --devcie "$DEV"
expect_grep "did you mean '--device'" "$T/err" "suggests --device"
expect_exit 2 "a shortened option is not taken" -- "$UNBRICK" identify --dev "$DEV" --profile $P
expect_grep "'--device' or '--device-ip'" "$T/err" "names the options it could be"

# --- each command takes only its own options ---
expect_exit 2 "verify --unlock" -- "$UNBRICK" verify "$CHIP" --device "$DEV" --profile $P --unlock art
expect_grep "it is an option of recover, flash, restore, not of verify" "$T/err" "names the commands that have it"
for o in --no-backup --soak --yes --sha256; do
	expect_exit 2 "verify $o" -- "$UNBRICK" verify "$CHIP" --device "$DEV" --profile $P $o 1
done
expect_exit 2 "restore takes no image checks" -- "$UNBRICK" restore --from "$T" --device "$DEV" --profile $P --sha256 00
"$UNBRICK" verify --help >"$T/help"
if grep -qE -- '--(unlock|no-backup|soak|sha256|yes)\b' "$T/help"; then
	echo "FAIL: verify --help lists options verify does not take"; FAILS=$((FAILS + 1))
else
	echo "ok: verify --help lists only its own options"
fi
"$UNBRICK" recover --help >"$T/rh"
expect_grep '^      --allow-unverified ' "$T/rh" "recover has --allow-unverified"

# --- names that do not exist: exit 2, with the near one ---
expect_exit 2 "a misspelt programmer" -- "$UNBRICK" identify --device "spi:flashrom:dummyy,emulate=W25Q128FV,image=$CHIP" --profile $P
expect_grep "did you mean 'dummy'" "$T/err" "suggests dummy"
expect_exit 2 "a parameter the family does not have" -- "$UNBRICK" identify --device "uboot:serial:/dev/null,bad=1" --profile qemu-virt-arm
expect_grep "no parameter 'bad'" "$T/err" "names bad"
expect_exit 2 "a misspelt transport" -- "$UNBRICK" identify --device "uboot:seral:/dev/null" --profile qemu-virt-arm
expect_grep "did you mean 'serial'" "$T/err" "suggests serial"
expect_exit 2 "a misspelt family" -- "$UNBRICK" identify --device "ubot:serial:/dev/null" --profile qemu-virt-arm
expect_grep "did you mean 'uboot'" "$T/err" "suggests uboot"
expect_exit 2 "a case that does not exist" -- "$UNBRICK" case show 99
expect_exit 4 "a programmer that does not answer is exit 4" -- "$UNBRICK" identify --device spi:flashrom:ch341a_spi --profile $P

# --- the families' options: from their tables, for their family only ---
expect_exit 2 "--via with a programmer" -- "$UNBRICK" flash "$CHIP" --device "$DEV" --profile $P --via tftp --yes
expect_grep "\-\-via is for devices of the uboot family" "$T/err" "names the family that has it"
expect_exit 2 "--via with a value its family does not take" -- "$UNBRICK" flash "$CHIP" --device uboot:serial:/dev/null --profile qemu-virt-arm --via ftp
expect_grep "via=ftp: via takes one of tftp.ymodem" "$T/err" "the family's check names the choices"
expect_exit 2 "--via and via= both" -- "$UNBRICK" flash "$CHIP" --device uboot:serial:/dev/null,via=tftp --profile qemu-virt-arm --via ymodem
expect_grep "give one" "$T/err" "says to give one"
# a family option only where it does something: --via is how data reaches
# the device, --read-via how its flash comes back
expect_exit 2 "backup --via" -- "$UNBRICK" backup --device uboot:serial:/dev/null --profile qemu-virt-arm --via tftp -o "$T/bk"
expect_grep "it is an option of recover, flash, restore, not of backup" "$T/err" "names the commands that write"
expect_exit 2 "identify --read-via" -- "$UNBRICK" identify --device uboot:serial:/dev/null --profile qemu-virt-arm --read-via console
expect_grep "it is an option of recover, flash, verify, restore, backup, not of identify" "$T/err" "names the commands that read"
"$UNBRICK" backup --help >"$T/help"
if grep -q -- "--via " "$T/help"; then echo "FAIL: backup --help lists --via"; FAILS=$((FAILS + 1)); else echo "ok: backup --help lists no --via"; fi
expect_grep "^ *--read-via " "$T/help" "and lists --read-via"
"$UNBRICK" recover --help >"$T/help"
expect_grep '^      --via tftp.ymodem ' "$T/help" "recover --help lists --via with its words"
expect_grep '^  uboot:serial:/dev/ttyUSB0 ' "$T/help" "and the families' transports, from their tables"
expect_grep '^  spi:flashrom:PROGRAMMER ' "$T/help" "every family's"

# --- diagnose listens through the family's capture op, sending nothing ---
cat >"$T/console.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept()
c.sendall(b"U-Boot 2023.01 (Jan 01 2023 - 00:00:00 +0000)\r\nStarting kernel ...\r\n"
          b"Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)\r\n")
c.settimeout(6)
got = b""
try:
    while True:
        d = c.recv(100)
        if not d:
            break
        got += d
except OSError:
    pass
open(sys.argv[2], "wb").write(got)
PY
python3 "$T/console.py" "$T/console.sock" "$T/sent" &
cpid=$!
i=0; while [ ! -S "$T/console.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
expect_exit 0 "diagnose listening to a console" -- "$UNBRICK" diagnose --device "uboot:unix:$T/console.sock" --listen 2
wait $cpid
expect_grep '^kernel-panic: ' "$T/out" "the findings are on stdout"
expect_grep '^verdict \(console\): ' "$T/out" "and the verdict"
[ -f "$T/sent" ] && [ ! -s "$T/sent" ] && echo "ok: nothing was sent to the device" || { echo "FAIL: diagnose sent $(wc -c <"$T/sent" 2>/dev/null) bytes"; FAILS=$((FAILS + 1)); }
expect_exit 2 "diagnose with a family that cannot listen" -- "$UNBRICK" diagnose --device "$DEV" --listen 1
expect_grep "a spi device cannot be listened to" "$T/err" "says so, and what to give instead"

# --- devices ---
expect_exit 0 "devices --json" -- "$UNBRICK" devices --json
isjson "devices --json is one JSON object"
expect_json 'any(d["spec"].startswith("spi:flashrom:dummy") for d in j["devices"])' "the dummy programmer is listed"
expect_json 'all(d["spec"] and d["family"] for d in j["devices"])' "each with its spec and family"
if [ ! -d /sys/bus/usb/devices ]; then
	expect_json 'any("no USB bus" in n["note"] for n in j["notes"])' "no USB bus here: said, not hidden"
fi
expect_exit 0 "devices" -- "$UNBRICK" devices
expect_grep '^spi:flashrom:dummy' "$T/out" "on stdout"
expect_exit 0 "devices --help" -- "$UNBRICK" devices --help
expect_grep 'baud=50\.\.4000000' "$T/out" "lists the families' parameters"

# --- case rm and prune ---
expect_exit 0 "a second case" -- "$UNBRICK" case new --model wr-200 --serial SN2
F2=$(sqlite3 "$UNBRICK_HOME/journal.db" 'SELECT folder FROM cases WHERE id = 2')
expect_exit 3 "rm without a terminal and without --yes" -- "$UNBRICK" case rm 2 </dev/null
expect_grep "nobody to ask: pass --yes" "$T/err" "says to pass --yes"
[ -d "$F2" ] && echo "ok: nothing was deleted" || { echo "FAIL: the folder went"; FAILS=$((FAILS + 1)); }
expect_exit 0 "rm --yes" -- "$UNBRICK" case rm 2 --yes
expect_grep "case 2 removed" "$T/out" "says so on stdout"
[ ! -e "$F2" ] && echo "ok: its folder is gone" || { echo "FAIL: $F2 is still there"; FAILS=$((FAILS + 1)); }
[ "$(sqlite3 "$UNBRICK_HOME/journal.db" 'SELECT count(*) FROM cases WHERE id = 2')" = 0 ] &&
	echo "ok: its rows are gone" || { echo "FAIL: case 2 is still in the journal"; FAILS=$((FAILS + 1)); }
expect_exit 2 "rm of a case that does not exist" -- "$UNBRICK" case rm 2 --yes
# a case holding a backup (a file in backup/) stays unless --with-backups
F1=$(sqlite3 "$UNBRICK_HOME/journal.db" 'SELECT folder FROM cases WHERE id = 1')
echo data >"$F1/backup/firmware.bin"
expect_exit 3 "rm of a case with a backup" -- "$UNBRICK" case rm 1 --yes
expect_grep "holds a backup" "$T/err" "says why"
[ -s "$F1/backup/firmware.bin" ] && echo "ok: the backup is still there" || { echo "FAIL: the backup went"; FAILS=$((FAILS + 1)); }
# prune: by age and status; backups and running steps kept
for m in a b c; do "$UNBRICK" case new --model old-$m >/dev/null; done
"$UNBRICK" case new --model new >/dev/null
sqlite3 "$UNBRICK_HOME/journal.db" "UPDATE cases SET created = '2020-01-01T00:00:00.000Z' WHERE model LIKE 'old-%' OR id = 1;
	UPDATE cases SET status = 'failed' WHERE model = 'old-c';"
A=$(sqlite3 "$UNBRICK_HOME/journal.db" "SELECT id FROM cases WHERE model = 'old-a'")
B=$(sqlite3 "$UNBRICK_HOME/journal.db" "SELECT id FROM cases WHERE model = 'old-b'")
C=$(sqlite3 "$UNBRICK_HOME/journal.db" "SELECT id FROM cases WHERE model = 'old-c'")
expect_exit 2 "prune without a filter" -- "$UNBRICK" case prune --yes
expect_exit 2 "prune with a misspelt status" -- "$UNBRICK" case prune --status faild --yes
expect_grep "did you mean 'failed'" "$T/err" "suggests failed"
expect_exit 0 "prune --dry-run" -- "$UNBRICK" case prune --older-than 30 --dry-run --json
expect_json 'j["dry_run"] and sorted(j["removed"]) == sorted(['$A', '$B', '$C']) and [k["id"] for k in j["kept"]] == [1]' "would remove the three old ones, keeps the one with a backup"
[ "$(sqlite3 "$UNBRICK_HOME/journal.db" 'SELECT count(*) FROM cases')" = 5 ] && echo "ok: a dry run removes nothing" || { echo "FAIL: the dry run removed cases"; FAILS=$((FAILS + 1)); }
expect_exit 0 "prune by status" -- "$UNBRICK" case prune --older-than 30 --status failed --yes
expect_grep "^removed case $C " "$T/out" "the failed old case went"
expect_exit 0 "prune by age" -- "$UNBRICK" case prune --older-than 30 --yes --json
expect_json 'sorted(j["removed"]) == sorted(['$A', '$B']) and j["kept"][0]["id"] == 1' "the old ones went, the case with a backup stayed"
expect_exit 0 "prune --with-backups" -- "$UNBRICK" case prune --older-than 30 --with-backups --yes
[ "$(sqlite3 "$UNBRICK_HOME/journal.db" "SELECT group_concat(model) FROM cases")" = new ] && [ ! -e "$F1" ] &&
	echo "ok: the case with a backup went when asked, the new one stayed" || { echo "FAIL: cases left: $(sqlite3 "$UNBRICK_HOME/journal.db" "SELECT group_concat(model) FROM cases")"; FAILS=$((FAILS + 1)); }

# --- bash completion, from the same tables ---
"$UNBRICK" completion bash >"$T/completion.bash"
# the script asks unbrick itself for profile names and case ids
mkdir "$T/ubin" && ln -s "$UNBRICK" "$T/ubin/unbrick" && PATH="$T/ubin:$PATH"
complete_words() {   # complete_words WORD...: what _unbrick offers for the last word
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _unbrick; printf "%s\n" "${COMPREPLY[@]}"' \
		- "$T/completion.bash" "$@"
}
expect_completion() {   # expect_completion WANT DESCRIPTION WORD...
	want=$1; what=$2; shift 2
	if complete_words "$@" | grep -qxF -- "$want"; then
		echo "ok: completion: $what"
	else
		echo "FAIL: completion: $what: '$want' not in:"; complete_words "$@" | sed 's/^/  /'
		FAILS=$((FAILS + 1))
	fi
}
expect_completion check "commands" unbrick che
expect_completion --device "a command's options" unbrick identify --dev
expect_completion --allow-unverified "recover's options" unbrick recover --allow
expect_completion ymodem "an option's words" unbrick flash --via ""
expect_completion prune "subcommands" unbrick case ""
expect_completion "uboot:serial:" "the families' transports" unbrick identify --device ub
expect_completion "uboot:serial:/dev/null,baud=" "a family's parameters" unbrick identify --device "uboot:serial:/dev/null,ba"
expect_completion "$P" "profile names" unbrick identify --profile spi-r
if complete_words unbrick verify --un | grep -q -- --unlock; then
	echo "FAIL: completion offers verify an option it does not take"; FAILS=$((FAILS + 1))
else
	echo "ok: completion offers verify only its own options"
fi
# bash splits a word at ':'; the line as typed is what counts
got=$(bash -c '. "$1"; COMP_WORDS=(unbrick identify --device uboot : ser); COMP_CWORD=5
	COMP_LINE="unbrick identify --device uboot:ser"; COMP_POINT=${#COMP_LINE}; _unbrick; echo "${COMPREPLY[*]}"' - "$T/completion.bash")
[ "$got" = "serial:" ] && echo "ok: completion after bash's ':' split" || { echo "FAIL: completion after ':' gave '$got'"; FAILS=$((FAILS + 1)); }
finish
