"""Run one upload through the real checks in a fresh process and report
that process's peak memory (``python -m tests.upload_memory_probe KIND FILE
DATABASE_URL UPLOAD_DIR``; KIND is ``attachment`` or ``cover``).

Printed as JSON: the peak resident size (kB) once the application is
loaded, the peak after the upload, and what became of the file.
"""

from __future__ import annotations

import io
import json
import resource
import sys
import time

from werkzeug.datastructures import FileStorage


def peak_kb() -> int:
    """The process's peak resident size so far, in kB. ``VmHWM`` starts
    afresh with the program (``ru_maxrss`` would carry the parent's peak
    over from before ``exec``)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(kind: str, path: str, database_url: str, upload_dir: str) -> None:
    from app import create_app
    from app.articles import covers
    from app.errors import ServiceError
    from app.uploads import validate_upload
    from config import TestConfig

    app = create_app(
        TestConfig, {"SQLALCHEMY_DATABASE_URI": database_url, "UPLOAD_DIR": upload_dir}
    )
    with open(path, "rb") as handle:
        data = handle.read()
    with app.test_request_context():
        # Warm up the same code on a small image, so the baseline holds
        # every module and table the real upload will touch.
        small = covers.store_cover_bytes if kind == "cover" else None
        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (960, 540), (1, 2, 3)).save(buffer, "PNG")
        if small:
            small(buffer.getvalue())
        else:
            validate_upload(FileStorage(io.BytesIO(buffer.getvalue()), "a.png"))
        baseline = peak_kb()
        started = time.monotonic()
        try:
            if kind == "cover":
                covers.store_cover_bytes(data)
            else:
                validate_upload(FileStorage(io.BytesIO(data), "plik.png"))
            outcome, message = "accepted", ""
        except ServiceError as error:
            outcome, message = "refused", str(error.message)
        seconds = time.monotonic() - started
    peak = peak_kb()
    print(
        json.dumps(
            {
                "baseline_kb": baseline,
                "peak_kb": peak,
                "outcome": outcome,
                "message": message,
                "seconds": seconds,
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:5])
