"""The pseudonymisation engine (stc.pseudonymise) and the key (stc.pseudokey), tested directly
on short constructed sentences in Norwegian, Swedish, Danish and English."""

from __future__ import annotations

from pathlib import Path

import pytest
from stdnum.dk import cpr
from stdnum.no import fodselsnummer
from stdnum.se import personnummer

from stc.errors import StcError
from stc.pseudokey import new_key, number_names, read_key, refuse_inside, write_key
from stc.pseudonymise import (
    Entry,
    Named,
    Rules,
    find_candidates,
    find_quasi_identifiers,
    parse_names_list,
    pseudonymise_name,
    pseudonymise_text,
    restore_text,
    safe_name,
)

# constructed numbers: valid ones built with the check digit rules, invalid ones one digit off
FNR, FNR_BAD, DNR = "03076212375", "03076212376", "43076212369"
PNR, PNR_BAD, PNR_LONG = "620703-1235", "620703-1236", "19811228-9874"
CPR_OLD_CHECK, CPR_DATE_ONLY = "030762-1002", "030762-1235"


def test_the_constructed_numbers_are_what_the_tests_say() -> None:
    assert fodselsnummer.is_valid(FNR) and fodselsnummer.is_valid(DNR)
    assert not fodselsnummer.is_valid(FNR_BAD)
    assert personnummer.is_valid(PNR) and personnummer.is_valid(PNR_LONG)
    assert not personnummer.is_valid(PNR_BAD)
    assert cpr.checksum(CPR_OLD_CHECK.replace("-", "")) == 0
    assert cpr.is_valid(CPR_DATE_ONLY) and cpr.checksum(CPR_DATE_ONLY.replace("-", "")) != 0


def rules_for(lang: str, listing: str) -> Rules:
    names = parse_names_list(listing)
    return Rules(lang, number_names(new_key(False), names.accepted))


NB_LIST = """\
# deltakerne
Kari Nordby | Kari = participant
Per
Liv
Hans = person
Tor = person
Sagene = place
Solsiden sykehjem | Solsiden = workplace
Legevakt = institution
"""


def nb(text: str) -> str:
    return pseudonymise_text(text, rules_for("nb", NB_LIST))[0]


def test_listed_names_become_numbered_placeholders_in_the_list_order() -> None:
    assert nb("Jeg heter Kari Nordby og jobber på Solsiden sykehjem på Sagene.") == (
        "Jeg heter [INFORMANT 1] og jobber på [ARBEIDSSTED 1] på [STED 1].")
    assert nb("Kari sa det til Tor.") == "[INFORMANT 1] sa det til [PERSON 4]."


def test_genitive_and_definite_forms_keep_their_ending_after_the_placeholder() -> None:
    assert nb("Det er Karis bil og Sagenes beste skole.") == (
        "Det er [INFORMANT 1]s bil og [STED 1]s beste skole.")
    assert nb("Han var på Legevakta i natt, og Hans' kone ventet.") == (
        "Han var på [INSTITUSJON 1]a i natt, og [PERSON 3]' kone ventet.")


def test_a_person_takes_no_definite_ending_so_other_names_and_words_stay() -> None:
    assert nb("Karin og Kari-Anne kom, og Liv sa at livet er godt.") == (
        "Karin og Kari-Anne kom, og [PERSON 2] sa at livet er godt.")


def test_names_that_are_also_words_are_only_replaced_as_names() -> None:
    text = ("Vi fikk 40 kroner per dag, og livet gikk videre. Jeg tok hans bil. "
            "Per dag er det travelt. Hans bil sto ute. Per kom inn. Hans sa nei. "
            "Per og Kari gikk. Jeg sa det til Liv.")
    assert nb(text) == (
        "Vi fikk 40 kroner per dag, og livet gikk videre. Jeg tok hans bil. "
        "Per dag er det travelt. Hans bil sto ute. [PERSON 1] kom inn. [PERSON 3] sa nei. "
        "[PERSON 1] og [INFORMANT 1] gikk. Jeg sa det til [PERSON 2].")


def test_a_speaker_label_in_capitals_is_replaced_too() -> None:
    assert nb("KARI: ja") == "[INFORMANT 1]: ja"


@pytest.mark.parametrize(("number", "stays"), [
    (FNR, False), ("030762 12375", False), (DNR, False), (FNR_BAD, True),
    (PNR, False), (PNR_LONG, False), (PNR_BAD, True), (CPR_OLD_CHECK, False),
    (CPR_DATE_ONLY, True),  # a Danish number without the old check digit, outside Danish
])
def test_identity_numbers_are_replaced_only_when_their_check_digits_hold(
        number: str, stays: bool) -> None:
    out = nb(f"Nummeret er {number}, skrev hun.")
    assert out == (f"Nummeret er {number}, skrev hun." if stays
                   else "Nummeret er [FØDSELSNUMMER], skrev hun.")


def test_in_danish_a_cpr_with_a_valid_date_is_enough() -> None:
    out = pseudonymise_text(f"Mit CPR-nummer er {CPR_DATE_ONLY}.", Rules("da"))[0]
    assert out == "Mit CPR-nummer er [CPR-NUMMER]."


def test_phones_mails_urls_and_full_dates_are_replaced_but_not_other_numbers() -> None:
    text = ("Ring 912 34 567 eller +47 22 33 44 55, skriv til kari.nordby@example.no eller"
            " se https://solsiden.example.no/ansatte. Hun ble født 12.03.1950, kom 3. mars 2021"
            " og sluttet 2023-11-02. Vakten er 08.30-15.30, i 2019 2020, 40 timer per uke,"
            " 12 500 000 kroner, i mars 2022.")
    assert nb(text) == (
        "Ring [TELEFON] eller [TELEFON], skriv til [E-POST] eller se [URL]. Hun ble født"
        " [DATO], kom [DATO] og sluttet [DATO]. Vakten er 08.30-15.30, i 2019 2020, 40 timer"
        " per uke, 12 500 000 kroner, i mars 2022.")


@pytest.mark.parametrize("number", [
    "912 34 567", "99 88 77 66", "91234567", "+47 912 34 567", "0047 91 23 45 67",
    "070-123 45 67", "08-123 456 78", "+46 70 123 45 67", "+45 32 12 34 56",
    "020 7946 0958", "07700 900123", "+44 7700 900123", "(212) 555-0187", "555-0123",
])
def test_phone_numbers_as_people_write_them(number: str) -> None:
    assert nb(f"Ring {number} i morgen.") == "Ring [TELEFON] i morgen."


@pytest.mark.parametrize("ordinary", [
    "12 500 000 kroner", "2019 2020", "1990-2000", "kl. 08.30-15.30", "0830-1530",
    "konto 1234.56.78901", "rom 4412", "37,5 timer", FNR_BAD, "030762 12376",
])
def test_numbers_that_are_no_phone_numbers_stay(ordinary: str) -> None:
    for lang in ("nb", "sv", "da", "en"):
        text = f"Det var {ordinary} den gangen."
        assert pseudonymise_text(text, Rules(lang))[0] == text


def test_swedish_and_english_placeholders() -> None:
    sv = rules_for("sv", "Anna Berg | Anna = deltagare\nMalmö = plats\n")
    assert pseudonymise_text(f"Anna bor i Malmö, ring 070-123 45 67. Personnummer {PNR}.",
                             sv)[0] == ("[INFORMANT 1] bor i [PLATS 1], ring [TELEFON]."
                                        " Personnummer [PERSONNUMMER].")
    en = rules_for("en", "Tom = participant\nLeeds = place\nMay = person\n")
    assert pseudonymise_text("Tom lives in Leeds; call 020 7946 0958 on 4 March 2021. "
                             "May I ask? We talked to May.", en)[0] == (
        "[PARTICIPANT 1] lives in [PLACE 1]; call [PHONE] on [DATE]. May I ask?"
        " We talked to [PERSON 1].")


def test_the_pairs_restore_the_original_exactly() -> None:
    text = (f"KARI: Karis nummer er {FNR}, og [PERSON 9] var der. Per kom. Per dag går bra."
            " Mail: kari@example.no")
    out, pairs = pseudonymise_text(text, rules_for("nb", NB_LIST))
    assert "[PERSON 9]" in out and ("[PERSON 9]", "[PERSON 9]") in pairs
    assert restore_text(out, pairs) == text
    with pytest.raises(StcError) as refused:
        restore_text(out.replace("[PERSON 1]", "Per", 1), pairs)
    assert refused.value.code == "E913"


def test_file_names_are_matched_in_any_case_and_made_plain() -> None:
    rules = rules_for("nb", NB_LIST)
    assert safe_name(pseudonymise_name("kari-nordby-intervju", rules)) == "INFORMANT1-intervju"
    assert safe_name(pseudonymise_name("KariNordby_2", rules)) == "INFORMANT1-2"
    assert safe_name(pseudonymise_name("intervju_2", rules)) == "intervju_2"
    assert safe_name(pseudonymise_name("kari1", rules)) == "INFORMANT1-1"
    assert safe_name(pseudonymise_name("2kari", rules)) == "2-INFORMANT1"
    assert safe_name(pseudonymise_name("karianne", rules)) == "karianne"
    assert safe_name(pseudonymise_name("intervju-sagene", rules)) == "intervju-STED1"


def test_the_names_list_format() -> None:
    names = parse_names_list("\ufeffKari = informant\n? Tøyen = sted   # bor på Tøyen\n"
                             "- Covid\nOla Nordmann\n\n# kommentar\n")
    assert names.accepted == [Entry(("Kari",), "participant"), Entry(("Ola Nordmann",), "person")]
    assert names.undecided == [Entry(("Tøyen",), "place")]
    assert names.rejected == ["Covid"]
    with pytest.raises(StcError) as bad:
        parse_names_list("Kari = participant\nOla = venn\n", "navn.txt")
    assert bad.value.code == "E903" and "line 2" in bad.value.message


def test_candidates_are_words_that_may_be_names_and_nothing_on_the_list() -> None:
    text = ("[INFORMANT 1]: Jeg jobber på Ullevål, og jeg snakket med Ola Hansen om det. "
            "Naboen heter Tor. Hun bor i Sagene. Vi bruker Covid-testen og D-nummeret. "
            "Oslo er fint. Per kom sent. Per dag er lang. Hans bil er ny. Det er bra.")
    found = {c.phrase: c for c in find_candidates([text], "nb", {"covid-testen"},
                                                  labels=["Berit", "Intervjuer"])}
    assert set(found) == {"Ullevål", "Ola Hansen", "Tor", "Sagene", "Berit", "Oslo", "Per"}
    assert found["Per"].times == 1
    assert found["Ullevål"].category == "workplace" and found["Sagene"].category == "place"
    assert found["Berit"].category == "participant"
    assert "Ola Hansen" in found["Ola Hansen"].context


def test_quasi_identifiers_are_found_with_their_places() -> None:
    text = ("Jeg jobbet i England i fem år før jeg ble avdelingsleder. Mor er 94 år gammel"
            " og har Huntingtons sykdom. Far har ALS. Jeg er 45 år.")
    found = [(q.kind, q.phrase) for q in find_quasi_identifiers(text, "nb")]
    assert found == [("country", "England"), ("profession", "avdelingsleder"),
                     ("age", "94 år gammel"), ("diagnosis", "Huntingtons sykdom"),
                     ("diagnosis", "ALS")]
    english = find_quasi_identifiers("She is a 93-year-old bishop from Poland.", "en")
    assert [q.kind for q in english] == ["age", "profession", "country"]


def test_a_key_numbers_a_name_the_same_way_next_time_and_hides_who_it_is(
        tmp_path: Path) -> None:
    key = new_key(False)
    first = number_names(key, [Entry(("Kari",), "participant"), Entry(("Ola",), "person"),
                               Entry(("Eva",), "person")])
    write_key(tmp_path / "k.key", key)
    again = read_key(tmp_path / "k.key")
    second = number_names(again, [Entry(("Eva",), "person"), Entry(("Siv",), "person"),
                                  Entry(("Kari",), "participant")])
    assert [n.number for n in first] == [1, 1, 2]
    assert second == (Named(("Eva",), "person", 2), Named(("Siv",), "person", 3),
                      Named(("Kari",), "participant", 1))
    stored = (tmp_path / "k.key").read_text(encoding="utf-8")
    assert "Kari" in stored and "Ola" not in stored and "Eva" not in stored


def test_an_encrypted_key_needs_its_passphrase(tmp_path: Path) -> None:
    key = new_key(True)
    number_names(key, [Entry(("Kari",), "participant")])
    write_key(tmp_path / "k.key", key, "hemmelig ord")
    assert b"Kari" not in (tmp_path / "k.key").read_bytes()
    assert read_key(tmp_path / "k.key", "hemmelig ord") == key
    for passphrase, code in ((None, "E906"), ("feil", "E907")):
        with pytest.raises(StcError) as refused:
            read_key(tmp_path / "k.key", passphrase)
        assert refused.value.code == code


def test_a_file_inside_the_project_is_refused_also_through_a_link(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    (project / "sub").mkdir(parents=True)
    (tmp_path / "link").symlink_to(project / "sub")
    (project / "out").symlink_to(tmp_path)
    refuse_inside(tmp_path / "k.key", project, "E900")
    for inside in (project / "k.key", project / "sub" / "k.key", tmp_path / "link" / "k.key",
                   project / "out" / "k.key"):
        with pytest.raises(StcError) as refused:
            refuse_inside(inside, project, "E900")
        assert refused.value.code == "E900"
