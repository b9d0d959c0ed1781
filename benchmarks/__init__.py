"""Benchmarks of Sanctuary Bot: `python -m benchmarks [--quick] [--json PATH]` (see RESULTS.md).

Answer latency (indexed and naive), load time and memory, end-to-end throughput through the real
python-telegram-bot stack, broadcast pacing, and cold start. Nothing here is imported by the bot.
"""
