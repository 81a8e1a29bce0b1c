# SPDX-License-Identifier: Apache-2.0
# Durability under load: concurrent PutRecords writers, then SIGKILL (or SIGTERM) mid-stream, a
# restart on the same data folder, and a full read-back. Every acknowledged record must be there
# with its original shard and sequence number; everything read must be something a writer sent,
# intact; sequence numbers strictly increase per shard and never change across restarts.
import hashlib
import os
import random
import threading
import time

from support import create_stream, md5_hash_key, read_shard

WRITERS = 4
BATCH = 20
STREAM = "crash"
SHARDS = 4


def make_payload(writer, cycle, n):
    body = (f"w{writer}:c{cycle}:n{n}:".encode() + os.urandom(16).hex().encode()
            + b"." * random.randrange(0, 700))
    return body + b"|" + hashlib.sha256(body).hexdigest().encode()


def payload_intact(data):
    body, sep, digest = data.rpartition(b"|")
    return sep == b"|" and hashlib.sha256(body).hexdigest().encode() == digest


class Ledger:
    """What the writers sent (data -> partition key) and what was acknowledged
    (data -> (ShardId, SequenceNumber))."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sent = {}
        self.acked = {}


def writer(client, ledger, writer_id, cycle, stop, errors):
    n = 0
    while not stop.is_set():
        batch = []
        for _ in range(BATCH):
            data = make_payload(writer_id, cycle, n)
            n += 1
            batch.append({"Data": data, "PartitionKey": f"pk-{random.randrange(10**6)}"})
        with ledger.lock:
            for entry in batch:
                ledger.sent[entry["Data"]] = entry["PartitionKey"]
        try:
            out = client.put_records(StreamName=STREAM, Records=batch)
        except Exception as e:  # the server went away: expected once it is killed
            errors.append(repr(e))
            return
        with ledger.lock:
            for entry, result in zip(batch, out["Records"]):
                if "ErrorCode" not in result:
                    ledger.acked[entry["Data"]] = (result["ShardId"], result["SequenceNumber"])


def run_writers(srv, ledger, cycle, stop_action, min_acked=200, max_wait_s=10.0):
    """Runs WRITERS threads until at least min_acked new acks (or max_wait_s), then calls
    stop_action() while they are still writing, and waits for them to notice."""
    stop, errors = threading.Event(), []
    clients = [srv.client(read_timeout=20) for _ in range(WRITERS)]
    start_acked = len(ledger.acked)
    threads = [threading.Thread(target=writer, args=(clients[i], ledger, i, cycle, stop, errors))
               for i in range(WRITERS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + max_wait_s
    while len(ledger.acked) - start_acked < min_acked and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(random.uniform(0.05, 0.3))  # land the signal at an arbitrary point
    result = stop_action()
    stop.set()
    for t in threads:
        t.join(60)
        assert not t.is_alive(), "a writer hung after the server stopped"
    assert len(ledger.acked) - start_acked >= min_acked, (
        f"only {len(ledger.acked) - start_acked} acks before the stop; writer errors: {errors[:3]}")
    return result


def verify(client, ledger, durable):
    """Reads every shard back and checks the contract. `durable` maps data -> (shard, seq) for
    everything read after earlier restarts: once read back, a record stays, unrenumbered."""
    shards = client.list_shards(StreamName=STREAM)["Shards"]
    ranges = {s["ShardId"]: (int(s["HashKeyRange"]["StartingHashKey"]),
                             int(s["HashKeyRange"]["EndingHashKey"])) for s in shards}
    seen, tips = {}, {}
    for shard_id, (lo, hi) in ranges.items():
        records = read_shard(client, STREAM, shard_id)
        seqs = [int(r["SequenceNumber"]) for r in records]
        assert all(a < b for a, b in zip(seqs, seqs[1:])), f"{shard_id}: not strictly increasing"
        tips[shard_id] = seqs[-1] if seqs else -1
        for r in records:
            data = r["Data"]
            assert payload_intact(data), f"corrupted record in {shard_id}: {data[:80]!r}"
            assert data in ledger.sent, f"record nobody sent in {shard_id}: {data[:80]!r}"
            assert data not in seen, f"record stored twice: {data[:80]!r}"
            assert r["PartitionKey"] == ledger.sent[data]
            assert lo <= md5_hash_key(r["PartitionKey"]) <= hi, "record in the wrong shard"
            seen[data] = (shard_id, r["SequenceNumber"])
    lost = [d for d, where in ledger.acked.items() if seen.get(d) != where]
    assert not lost, (f"{len(lost)} of {len(ledger.acked)} acknowledged records missing or "
                      f"renumbered, e.g. {lost[0][:60]!r}: acked {ledger.acked[lost[0]]}, "
                      f"read {seen.get(lost[0])}")
    changed = [d for d, where in durable.items() if seen.get(d) != where]
    assert not changed, f"{len(changed)} records read before a restart are gone or renumbered"
    durable.update(seen)
    return tips


def check_new_writes_go_higher(client, tips):
    keys = {}
    i = 0
    while len(keys) < len(tips) and i < 10000:  # one key per shard
        out = client.put_record(StreamName=STREAM, Data=make_payload(99, 99, i),
                                PartitionKey=f"after-{i}")
        if out["ShardId"] not in keys:
            keys[out["ShardId"]] = out["SequenceNumber"]
        i += 1
    for shard_id, seq in keys.items():
        assert int(seq) > tips[shard_id], f"{shard_id}: {seq} not above {tips[shard_id]}"


def test_sigkill_under_load_keeps_every_acknowledged_record(make_server):
    srv = make_server()
    create_stream(srv.client(), STREAM, shards=SHARDS)
    ledger, durable = Ledger(), {}
    for cycle in range(3):
        run_writers(srv, ledger, cycle, srv.kill9)
        srv.start()
        client = srv.client()
        tips = verify(client, ledger, durable)
    check_new_writes_go_higher(client, tips)
    # The new records count too: a final graceful restart keeps everything.
    for shard_id in tips:
        for r in read_shard(client, STREAM, shard_id):
            ledger.sent.setdefault(r["Data"], r["PartitionKey"])
            ledger.acked.setdefault(r["Data"], (shard_id, r["SequenceNumber"]))
    srv.restart(kill9=False)
    verify(srv.client(), ledger, durable)


def test_sigterm_under_load_is_clean_and_keeps_every_acknowledged_record(make_server):
    srv = make_server()
    create_stream(srv.client(), STREAM, shards=SHARDS)
    ledger, durable = Ledger(), {}
    code = run_writers(srv, ledger, 0, srv.terminate)
    assert code == 0, f"SIGTERM under load exited with {code}: {srv.stderr_text()[-2000:]}"
    srv.start()
    client = srv.client()
    tips = verify(client, ledger, durable)
    check_new_writes_go_higher(client, tips)
