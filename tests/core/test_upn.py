from cin_xl.census.upn import check_letter, has_valid_check_letter, is_well_formed, make_upn


def test_known_check_letter():
    # weights 2..13 over "201" + "12345678" + "9": worked by hand
    body = "201123456789"
    total = sum(int(ch) * w for ch, w in zip(body, range(2, 14)))
    assert check_letter(body) == "ABCDEFGHJKLMNPQRTUVWXYZ"[total % 23]


def test_made_upns_are_well_formed_and_a_changed_letter_is_not():
    upn = make_upn("873", 123456789)
    assert is_well_formed(upn) and has_valid_check_letter(upn)
    wrong = ("A" if upn[0] != "A" else "B") + upn[1:]
    assert not has_valid_check_letter(wrong)


def test_temporary_upn_letter_counts_by_position_without_i_o_s():
    upn = make_upn("873", 123456780, temporary_letter="T")
    assert upn[-1] == "T" and is_well_formed(upn)
    assert check_letter("87312345678I") is None
