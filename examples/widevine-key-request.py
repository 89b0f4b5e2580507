#!/usr/bin/env python3
"""Ask the Widevine Common Encryption API for one key and print the options Unified Streaming's mp4split takes.

A Python 3 port of the Axinom sample script this project started from ("Server manifest creation script"): it
signs the request the way the API requires (SHA-1 of the request, encrypted with AES-256-CBC under the provider's
signing key and IV, PKCS#7 padding), posts it, decodes the answer and prints the key, the Widevine and PlayReady
signalling and the FairPlay skd URI as mp4split options. The original used Python 2 `print` and pycryptodome;
this one needs only Python 3 and `cryptography` (Debian: python3-cryptography).

Usage:
  python3 examples/widevine-key-request.py --url http://127.0.0.1:8787/api/WidevineProtectionInfo \
      --signer acme --signing-key <64 hex> --signing-iv <32 hex> [--kid <uuid>] [--request FILE]

Without --kid the request is read from --request (default: widevine-cenc-request.json beside this script).
With --kid the request asks for that Key ID as the seed script does: content_id = base64 of the KID text.
"""

import argparse
import base64
import hashlib
import json
import sys
import urllib.request
import uuid
from pathlib import Path

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def sign(request: bytes, key_hex: str, iv_hex: str) -> str:
    """Shaka Packager's AES request signer (packager/media/base/request_signer.cc): AES-CBC(SHA-1(request))."""
    padder = padding.PKCS7(128).padder()
    padded = padder.update(hashlib.sha1(request).digest()) + padder.finalize()
    encryptor = Cipher(algorithms.AES(bytes.fromhex(key_hex)), modes.CBC(bytes.fromhex(iv_hex))).encryptor()
    return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode("ascii")


def key_request(kid: str | None, request_file: Path) -> bytes:
    if kid is None:
        return json.dumps(json.loads(request_file.read_text("utf-8")), separators=(",", ":")).encode("utf-8")
    content_id = base64.b64encode(kid.encode("ascii")).decode("ascii")
    request = {"content_id": content_id, "tracks": [{"type": "SD"}], "drm_types": ["WIDEVINE", "PLAYREADY", "FAIRPLAY"]}
    return json.dumps(request, separators=(",", ":")).encode("utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the service's WidevineProtectionInfo endpoint")
    parser.add_argument("--signer", required=True, help="the Widevine provider name of your signing credential")
    parser.add_argument("--signing-key", required=True, help="SigningKeyHex of the credential (64 hex digits)")
    parser.add_argument("--signing-iv", required=True, help="SigningIvHex of the credential (32 hex digits)")
    parser.add_argument("--kid", help="a Key ID (UUID) to ask for; the content id is then base64 of its text")
    parser.add_argument("--request", type=Path, default=Path(__file__).with_name("widevine-cenc-request.json"))
    args = parser.parse_args()

    request = key_request(args.kid, args.request)
    signed = {
        "request": base64.b64encode(request).decode("ascii"),
        "signature": sign(request, args.signing_key, args.signing_iv),
        "signer": args.signer,
    }
    http_request = urllib.request.Request(
        args.url, data=json.dumps(signed).encode("utf-8"), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(http_request) as http_response:
        outer = json.load(http_response)
    answer = json.loads(base64.b64decode(outer["response"]))
    if answer.get("status") != "OK":
        print(f"The key service answered {answer.get('status')}: {answer.get('status_message', '')}", file=sys.stderr)
        return 1

    track = answer["tracks"][0]
    kid16 = base64.b64decode(track["key_id"]).hex()
    cek16 = base64.b64decode(track["key"]).hex()
    iv16 = base64.b64decode(track["iv"]).hex()
    pssh = {entry["drm_type"]: entry["data"] for entry in track["pssh"]}
    print(f"# KID {uuid.UUID(kid16)}")
    print(f"--widevine.key={kid16}:{cek16} --widevine.drm_specific_data={pssh['WIDEVINE']}")
    print(f"--iss.key={kid16}:{cek16} --iss.drm_specific_data={pssh['PLAYREADY']}")
    print(f"--hls.key=:{cek16} --hls.key_iv={iv16} --hls.license_server_url={track['skd_uri']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
