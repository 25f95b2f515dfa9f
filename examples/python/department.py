#!/usr/bin/python3
"""What a county department's own system does with Vanguard: pay a village, safely.

The county water bureau allocates its 2011 co-building budget, pays village 1
¥20,000 under a request id of its own, sends the very same request again (as
its system would after a timeout or a dropped connection) without paying
twice, and reads the views with the consistency token the payment returned:
its own budget, and, with the village clerk's token, the village's figures.

    PYTHONPATH=build/examples/python/gen /usr/bin/python3 examples/python/department.py \\
        HOST:PORT seed-token-of-water-bureau [seed-token-of-clerk-village-1]

Exits 0 when every check holds, 1 with the reason otherwise.
"""
import sys
import time

import grpc

from vanguard.v1 import common_pb2
from vanguard.v1 import funds_service_pb2
from vanguard.v1 import funds_service_pb2_grpc
from vanguard.v1 import view_service_pb2
from vanguard.v1 import view_service_pb2_grpc

DEPARTMENT = "water-bureau"
VILLAGE = "village-1"
YEAR = 2011
BUDGET_FEN = 50_000_00
PAYMENT_FEN = 20_000_00
RETRYABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


def yuan(fen):
    return f"¥{fen // 100:,}.{fen % 100:02d}"


def call(method, request, token, attempts=5):
    """Calls with a deadline; retries what may not have happened, with the same request."""
    for attempt in range(attempts):
        try:
            return method(request, metadata=[("authorization", f"Bearer {token}")], timeout=10)
        except grpc.RpcError as error:
            if error.code() not in RETRYABLE or attempt == attempts - 1:
                raise
            time.sleep(0.2 * 2**attempt)
    raise AssertionError("unreachable")


def level(views, token, organisation, consistency_token=b""):
    request = view_service_pb2.GetLevelViewRequest(
        organisation_id=organisation, consistency_token=consistency_token)
    return call(views.GetLevelView, request, token).view.figures.funds


def main(address, token, village_token=None):
    channel = grpc.insecure_channel(address)
    funds = funds_service_pb2_grpc.FundsServiceStub(channel)
    views = view_service_pb2_grpc.ViewServiceStub(channel)

    before = level(views, token, DEPARTMENT)
    village_before = level(views, village_token, VILLAGE) if village_token else None

    allocate = funds_service_pb2.AllocateBudgetRequest(
        request_id=f"{DEPARTMENT}-{YEAR}-co-building-budget",
        source_organisation_id=DEPARTMENT, purpose=common_pb2.FUNDS_PURPOSE_CO_BUILDING,
        year=YEAR, amount_fen=BUDGET_FEN, description="2011 年结对共建经费")
    call(funds.AllocateBudget, allocate, token)

    pay = funds_service_pb2.DisburseFundsRequest(
        request_id=f"{DEPARTMENT}-{YEAR}-{VILLAGE}-pumping-station",
        source_organisation_id=DEPARTMENT, purpose=common_pb2.FUNDS_PURPOSE_CO_BUILDING,
        year=YEAR, recipient=common_pb2.Subject(organisation_id=VILLAGE), amount_fen=PAYMENT_FEN,
        description="雨厦泵站二期")
    first = call(funds.DisburseFunds, pay, token)
    # The answer was "lost": the department's system sends the same request again.
    again = call(funds.DisburseFunds, pay, token)
    if not again.result.replayed or again.disbursement_id != first.disbursement_id:
        raise AssertionError(f"the retry was not recognised: {again}")
    print(f"paid {VILLAGE} {yuan(PAYMENT_FEN)} as {first.disbursement_id}; "
          f"the retry was answered with the first result (replayed: {again.result.replayed})")

    token_bytes = first.result.consistency_token
    after = level(views, token, DEPARTMENT, token_bytes)
    paid = after.paid_out_fen - before.paid_out_fen
    if paid != PAYMENT_FEN:
        raise AssertionError(f"paid out {yuan(paid)}, expected {yuan(PAYMENT_FEN)} once")
    print(f"{DEPARTMENT}: allocated {yuan(after.budget_allocated_fen)}, "
          f"paid out {yuan(after.paid_out_fen)}, left {yuan(after.budget_left_fen)}")

    if village_token:
        village = level(views, village_token, VILLAGE, token_bytes)
        received = village.received_fen - village_before.received_fen
        if received != PAYMENT_FEN:
            raise AssertionError(f"{VILLAGE} received {yuan(received)}, expected {yuan(PAYMENT_FEN)}")
        print(f"{VILLAGE} has received {yuan(village.received_fen)} in all")
    return 0


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    try:
        sys.exit(main(*sys.argv[1:]))
    except (AssertionError, grpc.RpcError) as error:
        print(f"department: {error}", file=sys.stderr)
        sys.exit(1)
