"""The speech engine's own process: `python -m reptrack.sinks.speech [--to OUT.wav]
[--driver NAME]`.

It reads one phrase a line on stdin and answers `done` on stdout once the phrase is spoken (or,
with `--to`, added to the WAV file). Its first line says `ready`, or `unavailable: why`.
pyttsx3 runs here, not in reptrack's process: it prints to stdout, shells out to a player, and
can block or crash in native code, none of which may reach the pose loop or the TUI.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import wave
from pathlib import Path
from typing import TextIO


def _protocol_channel() -> TextIO:
    """Our stdout, kept for the protocol; the process's fd 1 goes to /dev/null, so what the
    engine prints cannot mix with our answers."""
    channel = os.fdopen(os.dup(1), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the rest of the process
    return channel


class WavAppender:
    """Phrases one after another in one WAV file, with the format of the first."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._out: wave.Wave_write | None = None

    def add(self, phrase_wav: Path) -> None:
        with wave.open(str(phrase_wav), "rb") as phrase:
            if self._out is None:
                self._out = wave.open(str(self.path), "wb")  # noqa: SIM115 - closed in close()
                self._out.setparams(phrase.getparams())
            self._out.writeframes(phrase.readframes(phrase.getnframes()))

    def close(self) -> None:
        if self._out is not None:
            self._out.close()


def _missing_player() -> str | None:
    """On Linux pyttsx3 plays speech with `aplay`; without it, nothing would be heard."""
    if sys.platform.startswith("linux") and shutil.which("aplay") is None:
        return "aplay, which plays the speech, is not installed (Debian package alsa-utils)"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reptrack.sinks.speech")
    parser.add_argument("--to", type=Path, help="write the speech to this WAV file instead")
    parser.add_argument("--driver", help="pyttsx3 driver (default: the platform's)")
    args = parser.parse_args(argv)
    channel = _protocol_channel()
    if args.to is None and (missing := _missing_player()):
        channel.write(f"unavailable: {missing}\n")
        return 1
    try:
        import pyttsx3

        engine = pyttsx3.init(args.driver) if args.driver else pyttsx3.init()
    except Exception as exc:  # any failure means the same to the user: no voice here
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        channel.write(f"unavailable: {reason}\n")
        return 1
    appender = WavAppender(args.to) if args.to else None
    channel.write("ready\n")
    with tempfile.TemporaryDirectory(prefix="reptrack-speech-") as tmp:
        phrase_wav = Path(tmp) / "phrase.wav"
        try:
            for line in sys.stdin:
                text = line.strip()
                if text:
                    if appender is None:
                        engine.say(text)
                    else:
                        engine.save_to_file(text, str(phrase_wav))
                    engine.runAndWait()
                    if appender is not None and phrase_wav.exists():
                        appender.add(phrase_wav)
                channel.write("done\n")
        finally:
            if appender is not None:
                appender.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
