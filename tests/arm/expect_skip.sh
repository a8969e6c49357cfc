#!/bin/sh
# Runs a test command that must report SKIPPED (exit 77, the shared test main's
# code for "every test skipped"): a tier's binary on a CPU model without that
# tier's instructions. Passing, failing or crashing all make this check fail.
"$@" > expect_skip.log 2>&1
rc=$?
if [ "$rc" -eq 77 ] && grep -q "SKIPPED" expect_skip.log; then
  echo "skipped as required: $*"
  exit 0
fi
cat expect_skip.log
echo "expected exit 77 (all tests skipped) from: $*, got $rc" >&2
exit 1
