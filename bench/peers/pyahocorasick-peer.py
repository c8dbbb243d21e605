"""A peer for `npm run bench`: pyahocorasick (C) on the same keywords and normalized listings as the
project's automaton; the same protocol as rust-aho-corasick/src/main.rs (see there).

Usage: python3 pyahocorasick-peer.py MODULE_DIR KEYWORDS TEXTS
"""
import sys
import time

sys.path.insert(0, sys.argv[1])
import ahocorasick  # noqa: E402  (built from a snapshot into MODULE_DIR, see bench/peers/fetch.md)


def utf16_offsets(text):
    offsets = [0] * (len(text) + 1)
    units = 0
    for at, ch in enumerate(text):
        offsets[at] = units
        units += 2 if ord(ch) > 0xFFFF else 1
    offsets[len(text)] = units
    return offsets


def main():
    with open(sys.argv[2], encoding="utf-8") as f:
        patterns = f.read().split("\n")
    with open(sys.argv[3], encoding="utf-8") as f:
        listings = f.read().split("\n")
    started = time.perf_counter()
    automaton = ahocorasick.Automaton()
    for index, pattern in enumerate(patterns):
        automaton.add_word(pattern, (index, len(pattern)))
    automaton.make_automaton()
    print("ready", time.perf_counter() - started, "Automaton", automaton.get_stats()["total_size"], flush=True)
    for command in sys.stdin:
        command = command.strip()
        if command == "round":
            started = time.perf_counter()
            cpu = time.process_time()
            hits = 0
            for listing in listings:
                for _ in automaton.iter(listing):
                    hits += 1
            print("round", time.perf_counter() - started, time.process_time() - cpu, hits, flush=True)
        elif command == "hits":
            out = []
            for i, listing in enumerate(listings):
                offsets = utf16_offsets(listing)
                for end, (pattern, length) in automaton.iter(listing):
                    out.append(f"{i} {pattern} {offsets[end + 1 - length]} {offsets[end + 1]}")
            out.append("end")
            print("\n".join(out), flush=True)
        else:
            break


main()
