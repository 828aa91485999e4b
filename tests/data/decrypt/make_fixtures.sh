#!/usr/bin/env bash
# Makes the RSA-OAEP fixtures of tests/decrypt.rs with OpenSSL, independently
# of the crate: two throw-away 2048-bit keys (TEST KEYS, never use them for
# anything else), the first also in PKCS#1 form, and a JSON payload encrypted
# with RSA-OAEP, SHA-256 and MGF1-SHA-256 to the first key, base64-encoded.
#
#   tests/data/decrypt/make_fixtures.sh
set -euo pipefail
cd "$(dirname "$0")"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key_pkcs8.pem 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out other_key_pkcs8.pem 2>/dev/null
openssl pkey -in key_pkcs8.pem -traditional -out key_pkcs1.pem
openssl pkey -in key_pkcs8.pem -pubout -out key_public.pem
printf '%s' '{"orderId":"o-42","card":"4111-XXXX","note":"Grüße"}' > plaintext.json
openssl pkeyutl -encrypt -pubin -inkey key_public.pem -in plaintext.json \
  -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 \
  | base64 -w0 > ciphertext.b64
# Check the round trip with OpenSSL itself.
base64 -d ciphertext.b64 | openssl pkeyutl -decrypt -inkey key_pkcs8.pem \
  -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 \
  | cmp - plaintext.json
echo "fixtures written"
