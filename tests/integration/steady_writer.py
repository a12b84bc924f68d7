"""A client that writes numbered rows one commit each, as fast as it can,
through an endpoint that may fail over under it; it remembers which
commits were acknowledged, for the failover tests to find every one."""
import threading
import time


class SteadyWriter(threading.Thread):
    """`connect()` opens an autocommit connection of any DB-API driver;
    `insert` is the statement, with one %s for the row's number."""

    def __init__(self, connect, insert):
        super().__init__(daemon=True)
        self.connect, self.insert = connect, insert
        self.acked, self.stop, self.next = [], threading.Event(), 0

    def run(self):
        connection = None
        while not self.stop.is_set():
            try:
                if connection is None:
                    connection = self.connect()
                n = self.next
                self.next += 1
                with connection.cursor() as cursor:
                    cursor.execute(self.insert, (n,))
                self.acked.append(n)
            except Exception:  # noqa: BLE001 - a failover drops connections
                connection = None
                time.sleep(0.05)

    def wait_resumed(self, timeout=60):
        """Returns once 20 more commits were acknowledged."""
        start, deadline = len(self.acked), time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.acked) > start + 20:
                return
            time.sleep(0.05)
        raise AssertionError("writes did not resume through the endpoint")
