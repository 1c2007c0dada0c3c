import json

from kiosk.cli import main


def ask(capsys, *argv):
    code = main(["ask", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_kiosk_ask_prints_the_contract_json(capsys):
    code, out, _ = ask(capsys, "كم سعر الروج الأحمر؟")
    data = json.loads(out)
    assert code == 0
    assert {"intent", "confidence", "reply", "lang", "escalate"} <= set(data)
    assert data["intent"] == "price" and data["lang"] == "ar" and data["escalate"] is False
    assert "99" in data["reply"]


def test_kiosk_ask_lang_override_and_escalation(capsys):
    code, out, _ = ask(capsys, "I want to talk to someone", "--lang", "ar")
    data = json.loads(out)
    assert code == 0 and data["lang"] == "ar" and data["escalate"] is True


def test_kiosk_ask_reads_a_synced_faq_file(capsys, tmp_path):
    faq = tmp_path / "faq.json"
    faq.write_text(
        json.dumps(
            {"version": 3, "entries": [], "store": {"hours_en": "Open 9 to 5.", "hours_ar": "من ٩ إلى ٥"}}
        )
    )
    code, out, _ = ask(capsys, "when do you open", "--faq", str(faq))
    assert code == 0 and json.loads(out)["reply"] == "Open 9 to 5."


def test_kiosk_ask_bad_inputs_fail_clearly(capsys, tmp_path):
    bad = tmp_path / "faq.json"
    bad.write_text("{not json")
    code, out, err = ask(capsys, "hi", "--faq", str(bad))
    assert code == 2 and out == "" and "cannot read FAQ" in err
    code, _, err = ask(capsys, "hi", "--store", "jeddah-99")
    assert code == 2 and "riyadh-01" in err
    bad.write_text(json.dumps({"entries": [{"id": "x"}]}))
    code, _, err = ask(capsys, "hi", "--faq", str(bad))
    assert code == 2 and "schema" in err
