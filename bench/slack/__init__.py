"""Slack Connect inbound throughput (``slack_bench.py``): the desk it sets up (``desk.py``), the
Events API traffic it sends (``traffic.py``), the servers it runs and the CPU it reads from
/proc (``processes.py``)."""
