#!/usr/bin/env python3
"""sisimai-expected.py - derive tests/data/bounce-expected.tsv.

Usage: python3 tools/sisimai-expected.py [TREE]   (TREE: the source tree, default .)

The expected result of each of the sisimai messages in
tests/data/corpus/sisimai/ comes from outside this project, never from
reflector's parser:

  class    sisimai's own test suite says which reason each sample has
           (tests/data/bounce/sisimai-reasons.txt, copied from go-sisimai's
           fact/*_test.go tables); REASON_CLASS below maps sisimai's reasons to
           reflector's classes.  A maildir/dos or maildir/mac sample gets the
           expectation of its maildir/bsd twin only when the two are the same
           message once line ends are normalised.
  address  sisimai's tables hold no addresses, so the failed recipient is
           read by Python's email package from the sample's machine-readable
           fields: Original-Recipient (the address the sender gave, which is
           what a list knows its member by; issue 17), else Final-Recipient,
           of the first message/delivery-status block, else
           X-Failed-Recipients.  Samples with neither get '-' (address not
           scored).

Where the class read from a message under reflector's taxonomy differs from
the one sisimai's reason maps to (tests/data/bounce/sisimai-overrides.txt,
each row with its reason), "class" holds the class read and "sisimai_class"
sisimai's: the corpus test scores both.

Samples of engines with no table in sisimai-reasons.txt, and empty or
headerless ones, get class '-': the corpus test still parses them (it must
never crash) but does not score them.
"""
import email
import email.policy
import os
import re
import sys

# sisimai reason -> reflector class.  The rule: permanent only when the
# address itself is gone; policy when the receiving side refused the list's
# mail for what it is or where it comes from (content, reputation, auth);
# temporary for everything that may pass later or is nobody's fault.
REASON_CLASS = {
    # the mailbox or domain does not exist, or will not accept mail again
    "userunknown": "permanent", "hostunknown": "permanent", "hasmoved": "permanent",
    "suspend": "permanent", "notaccept": "permanent",
    # may pass later, or our side's trouble
    "mailboxfull": "temporary", "expired": "temporary", "networkerror": "temporary",
    "systemerror": "temporary", "systemfull": "temporary", "toomanyconn": "temporary",
    "speeding": "temporary", "ratelimited": "temporary", "exceedlimit": "temporary",
    "mesgtoobig": "temporary", "emailtoolarge": "temporary", "mailererror": "temporary",
    "syntaxerror": "temporary", "failedstarttls": "temporary",
    # refused for what the message is or where it comes from
    "blocked": "policy", "rejected": "policy", "policyviolation": "policy",
    "spamdetected": "policy", "virusdetected": "policy", "securityerror": "policy",
    "authfailure": "policy", "badreputation": "policy", "requireptr": "policy",
    "notcompliantrfc": "policy", "contenterror": "policy", "norelaying": "policy",
    "filtered": "policy",
    # not a failure of delivery at all
    "delivered": "not-bounce", "feedback": "not-bounce", "vacation": "not-bounce",
    # sisimai could not tell
    "undefined": "unknown", "onhold": "unknown",
}

NAME = re.compile(r"^maildir__(bsd|dos|mac)__((?:lhost|rhost)-[a-z0-9]+|arf|rfc3464|rfc3834)-(\d+)\.eml$")


def normalise(data):
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def clean_address(value):
    value = str(value).strip()
    if ";" in value:
        kind, value = value.split(";", 1)
        if kind.strip().lower() not in ("", "rfc822", "utf-8"):
            return None
    value = value.strip().strip("<>").strip()
    m = re.search(r"[^\s<>\"(),;]+@[^\s<>\"(),;]+", value)
    return m.group(0).rstrip(".").lower() if m else None


def first_recipient(data):
    msg = email.message_from_bytes(normalise(data), policy=email.policy.compat32)
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks = part.get_payload()
        if not isinstance(blocks, list):
            continue
        for block in blocks:
            for field in ("Original-Recipient", "Final-Recipient"):
                if block.get(field):
                    address = clean_address(block.get(field))
                    if address:
                        return address
    failed = msg.get("X-Failed-Recipients")
    if failed:
        return clean_address(str(failed).split(",")[0])
    return None


def main():
    tree = sys.argv[1] if len(sys.argv) > 1 else "."
    corpus = os.path.join(tree, "tests/data/corpus/sisimai")
    reasons = {}
    with open(os.path.join(tree, "tests/data/bounce/sisimai-reasons.txt")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            engine, label, status, reason = line.split()
            reasons[(engine, int(label))] = (status, reason)

    overrides = {}
    with open(os.path.join(tree, "tests/data/bounce/sisimai-overrides.txt")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, klass, _why = line.rstrip("\n").split("\t", 2)
            overrides[name] = klass

    out = [
        "# bounce-expected.tsv - what a correct parser says about each sisimai sample.",
        "# Generated by tools/sisimai-expected.py from sisimai's own test suite (class,",
        "# via tests/data/bounce/sisimai-reasons.txt) and the samples' machine-readable",
        "# recipient fields (address); see that script.  '-' means not scored.",
        "# class: sisimai's, or the one read from the message where",
        "# tests/data/bounce/sisimai-overrides.txt says why they differ.",
        "# file\tfamily\taddress\tclass\tsisimai_reason\tsisimai_status\tsisimai_class",
    ]
    for name in sorted(os.listdir(corpus)):
        if name == "README":
            continue
        path = os.path.join(corpus, name)
        with open(path, "rb") as f:
            data = f.read()
        m = NAME.match(name)
        family = m.group(2) if m else "other"
        klass, reason, status = "-", "-", "-"
        bsd = name
        if m and m.group(1) != "bsd":
            bsd = name.replace("__" + m.group(1) + "__", "__bsd__", 1)
        if m and (m.group(2), int(m.group(3))) in reasons:
            twin_ok = True
            if m.group(1) != "bsd":
                twin = os.path.join(corpus, name.replace("__" + m.group(1) + "__", "__bsd__", 1))
                twin_ok = os.path.exists(twin) and normalise(open(twin, "rb").read()) == normalise(data)
            if twin_ok:
                status, reason = reasons[(m.group(2), int(m.group(3)))]
                klass = REASON_CLASS[reason]
        sisimai_class = klass
        if klass != "-" and bsd in overrides:
            klass = overrides[bsd]
        address = first_recipient(data) if data.strip() else None
        if klass in ("not-bounce", "-"):
            address = None
        out.append("\t".join([name, family, address or "-", klass, reason, status, sisimai_class]))
    with open(os.path.join(tree, "tests/data/bounce-expected.tsv"), "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
