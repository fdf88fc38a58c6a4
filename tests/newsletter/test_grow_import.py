"""Importing subscribers from other platforms' exports: what each row
becomes, with consent kept and never invented (subscriber_imports/)."""

import pytest
from django.core import mail
from taggit.models import Tag

from newsletter.exports import subscribers_csv_lines
from newsletter.models import Subscriber
from subscriber_imports import run
from subscriber_imports.models import SubscriberImport
from subscriber_imports.upload import import_upload
from tests.factories import EditorFactory, SubscriberFactory
from tests.newsletter.import_helpers import (  # noqa: F401 (fixture)
    fixture_bytes,
    private_files,
    upload_of,
)

pytestmark = pytest.mark.django_db
S = Subscriber.Status


def checked(content: bytes, statement: str = "", name: str = "list.csv"):
    """An upload whose dry run has run (tasks run at once in tests)."""
    source = import_upload(
        uploaded=upload_of(content, name), statement=statement, user=EditorFactory()
    )
    run.dry_run_import.call(import_id=source.pk)
    source.refresh_from_db()
    return source


def imported(content: bytes, statement: str = ""):
    source = checked(content, statement)
    assert run.import_start(source=source)
    run.run_import.call(import_id=source.pk)
    source.refresh_from_db()
    return source


def statuses() -> dict[str, str]:
    return dict(Subscriber.objects.values_list("email", "status"))


def test_mailchimp_subscribed_export_dry_run_counts_and_writes_nothing(now):
    source = checked(fixture_bytes("mailchimp_subscribed.csv"))

    assert source.status == SubscriberImport.Status.CHECKED
    assert source.file_format == "Mailchimp"
    assert source.total_rows == 8
    counts = source.counts
    # Opt-in or confirm time on record: ana, ben, dora and the formula address.
    assert counts["new_confirmed"] == 4
    assert counts["new_pending"] == 1  # chloe: added by hand, no opt-in
    assert counts["invalid"] == 2  # "not-an-address", the HYPERLINK formula
    assert counts["duplicate"] == 1  # ana again, domain in capitals
    assert source.samples["duplicate"] == [{"row": 5, "email": "ana.lima@EXAMPLE.com"}]
    assert Subscriber.objects.count() == 0
    assert mail.outbox == []


def test_mailchimp_import_keeps_the_files_consent_and_asks_the_others(now):
    Tag.objects.create(name="Interviews", slug="interviews")
    Tag.objects.create(name="Salaries", slug="salaries")
    source = imported(fixture_bytes("mailchimp_subscribed.csv"))

    assert source.status == SubscriberImport.Status.DONE
    assert statuses() == {
        "ana.lima@example.com": S.CONFIRMED,
        "Ben.Okafor@example.org": S.CONFIRMED,  # domain lower-cased, as sign-up
        "dora@example.com": S.CONFIRMED,
        "=2+5@example.com": S.CONFIRMED,
        "chloe@example.net": S.PENDING,
    }
    ana = Subscriber.objects.get(email="ana.lima@example.com")
    assert ana.source_import == source
    assert (
        ana.source
        == "Imported: Mailchimp: opted in 2023-01-10 08:00, confirmed 2023-01-10 08:05"
    )
    assert ana.confirmed_at.isoformat() == "2023-01-10T08:05:12+00:00"
    assert ana.signed_up_at.isoformat() == "2023-01-10T08:00:00+00:00"
    assert sorted(ana.topics.values_list("slug", flat=True)) == ["interviews"]
    # CVs, the unknown tag of an invalid row is not counted, and
    # "Careers, with a comma" twice (dora, the formula row).
    assert source.counts["tags_unknown"] == 3
    assert source.counts["tags_matched"] == 2
    # Re-permission: only the pending one is mailed, once.
    assert [message.to for message in mail.outbox] == [["chloe@example.net"]]


def test_editors_statement_confirms_rows_without_their_own_opt_in(now):
    statement = "Sign-ups at our stand at the 2024 careers fair, on paper forms."
    imported(fixture_bytes("plain.txt"), statement)

    assert statuses() == {
        "first@example.com": S.CONFIRMED,
        "second@example.org": S.CONFIRMED,
        "third@example.net": S.CONFIRMED,
    }
    assert mail.outbox == []
    source = SubscriberImport.objects.get()
    assert source.consent_statement == statement
    assert source.counts["duplicate"] == 1


def test_plain_list_without_statement_stays_pending_and_is_asked_to_confirm(now):
    source = imported(fixture_bytes("plain.txt"))

    assert source.file_format == "Plain list"
    assert set(statuses().values()) == {S.PENDING}
    assert sorted(m.to[0] for m in mail.outbox) == [
        "first@example.com",
        "second@example.org",
        "third@example.net",
    ]


def test_mailchimp_unsubscribed_and_cleaned_exports_are_recorded_never_mailed(now):
    imported(fixture_bytes("mailchimp_unsubscribed.csv"))
    imported(fixture_bytes("mailchimp_cleaned.csv"))

    assert statuses() == {
        "gone@example.com": S.UNSUBSCRIBED,
        "left@example.org": S.UNSUBSCRIBED,
        "bounced@example.com": S.SUPPRESSED,
    }
    bounced = Subscriber.objects.get(email="bounced@example.com")
    assert bounced.suppression_reason == "hard-bounce"
    assert mail.outbox == []


def test_substack_export(now):
    source = imported(fixture_bytes("substack.csv"))

    assert source.file_format == "Substack"
    assert statuses() == {
        "reader.one@example.com": S.CONFIRMED,
        "Reader.Two@example.com": S.CONFIRMED,
        "quiet@example.com": S.UNSUBSCRIBED,  # email_disabled
        "lapsed@example.com": S.UNSUBSCRIBED,  # no active subscription
    }


def test_ghost_export_with_labels_as_topics(now):
    Tag.objects.create(name="Careers", slug="careers")
    source = imported(fixture_bytes("ghost.csv"))

    assert source.file_format == "Ghost"
    assert statuses() == {
        "member1@example.com": S.CONFIRMED,
        "member2@example.com": S.UNSUBSCRIBED,  # subscribed_to_emails false
        "member3@example.com": S.CONFIRMED,
        "member4@example.com": S.UNSUBSCRIBED,  # deleted
    }
    member = Subscriber.objects.get(email="member1@example.com")
    assert list(member.topics.values_list("name", flat=True)) == ["Careers"]


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom"]
)
def test_encodings_with_semicolons_quotes_and_crlf(now, encoding):
    text = (
        'Name;E-Mail;Status;Tags\r\n"Zoë Müller";"zoe@example.com";subscribed;"a;b"\r\n'
        ';"multi\r\nline"@example.com;subscribed;\r\n'
        "Jürgen;juergen@bücher.example;unsubscribed;\r\n"
    )
    boms = {
        "utf-16-le-bom": ("utf-16-le", b"\xff\xfe"),
        "utf-16-be-bom": ("utf-16-be", b"\xfe\xff"),
    }
    codec, bom = boms.get(encoding, (encoding, b""))
    source = checked(bom + text.encode(codec))

    assert source.file_format == "CSV"
    assert source.total_rows == 3
    assert source.counts["new_pending"] == 1  # zoe@: no opt-in, no statement
    assert source.counts["invalid"] == 1  # a newline inside the address
    assert source.samples["unsubscribed"] == [
        {"row": 3, "email": "juergen@bücher.example"}
    ]


def test_suppressed_and_unsubscribed_never_come_back_in_another_spelling(now):
    SubscriberFactory(email="Gone@example.com", status=S.UNSUBSCRIBED)
    SubscriberFactory(email="bounced@xn--bcher-kva.example", status=S.SUPPRESSED)
    SubscriberFactory(email="kept@example.com", status=S.CONFIRMED)
    content = (
        "email,status\n"
        "GONE@EXAMPLE.COM,subscribed\n"
        "  bounced@BÜCHER.example ,subscribed\n"
        "kept@EXAMPLE.com,unsubscribed\n"
    ).encode()
    source = imported(content, "They all said yes, honestly.")

    assert source.counts["unsubscribed"] == 1
    assert source.counts["suppressed"] == 1
    assert source.counts["subscribed"] == 1
    assert statuses() == {
        "Gone@example.com": S.UNSUBSCRIBED,
        "bounced@xn--bcher-kva.example": S.SUPPRESSED,
        "kept@example.com": S.CONFIRMED,
    }
    assert not Subscriber.objects.filter(source_import=source).exists()
    assert mail.outbox == []


def test_a_pending_row_in_the_file_stays_pending_even_with_a_statement(now):
    imported(b"email,status\nwait@example.com,pending\n", "From our old list.")

    assert statuses() == {"wait@example.com": S.PENDING}
    assert len(mail.outbox) == 1


def test_running_twice_and_importing_again_change_nothing(now):
    content = fixture_bytes("mailchimp_subscribed.csv")
    source = imported(content)
    before = list(Subscriber.objects.order_by("pk").values())
    mails = len(mail.outbox)

    assert run.run_import.call(import_id=source.pk).startswith("not importing")
    again = imported(content)

    assert list(Subscriber.objects.order_by("pk").values()) == before
    assert again.counts["subscribed"] == 5
    assert again.counts["new_confirmed"] == again.counts["new_pending"] == 0
    assert len(mail.outbox) == mails


def test_an_interrupted_import_resumes_after_its_last_committed_chunk(now, monkeypatch):
    monkeypatch.setattr(run, "CHUNK_ROWS", 2)
    content = b"email\n" + b"".join(f"r{n}@example.com\n".encode() for n in range(7))
    source = checked(content, "Our old list.")
    run.import_start(source=source)
    real_write = run.chunk_write
    calls = []

    def dies_on_third_chunk(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            real_write(**kwargs)  # written, then the worker is killed
            raise SystemExit("killed")
        real_write(**kwargs)

    monkeypatch.setattr(run, "chunk_write", dies_on_third_chunk)
    with pytest.raises(SystemExit):
        run.run_import.call(import_id=source.pk)
    source.refresh_from_db()
    assert source.rows_done == 4
    assert Subscriber.objects.count() == 4  # the third chunk was rolled back

    monkeypatch.setattr(run, "chunk_write", real_write)
    run.run_import.call(import_id=source.pk)
    source.refresh_from_db()

    assert source.status == SubscriberImport.Status.DONE
    assert source.rows_done == 7
    assert source.counts["new_confirmed"] == 7
    assert Subscriber.objects.count() == 7


def test_formula_cells_are_stored_as_text_and_escaped_on_export(now):
    imported(b"email\n=2+5@example.com\n+1@example.com\n-x@example.com\n", "Ours.")

    assert set(statuses()) == {"=2+5@example.com", "+1@example.com", "-x@example.com"}
    lines = list(subscribers_csv_lines(subscribers=Subscriber.objects.all()))
    cells = sorted(line.split(",")[0] for line in lines[1:])
    assert cells == ["'+1@example.com", "'-x@example.com", "'=2+5@example.com"]


def test_pending_confirmation_mails_respect_the_throttle(now):
    imported(b"email\nask@example.com\n")
    imported(b"email,status\nask@example.com,subscribed\n")  # already pending

    assert [m.to for m in mail.outbox] == [["ask@example.com"]]
    ask = Subscriber.objects.get()
    assert ask.confirmations_sent_count == 1


def test_re_permission_mails_are_queued_one_task_per_chunk(now, db_tasks):
    from newsletter.tasks import send_confirmations

    imported(fixture_bytes("plain.txt"))
    (queued,) = db_tasks.rows(send_confirmations)
    pending = Subscriber.objects.filter(status=S.PENDING)
    assert sorted(queued.args_kwargs["kwargs"]["subscriber_ids"]) == sorted(
        pending.values_list("pk", flat=True)
    )
    assert mail.outbox == []  # the worker sends them

    db_tasks.run()

    assert sorted(m.to[0] for m in mail.outbox) == [
        "first@example.com",
        "second@example.org",
        "third@example.net",
    ]
