"""A reader's path through the board in a real browser."""

import re


def board_numbers(page) -> list[str]:
    return page.locator("table.list tbody td.no").all_inner_texts()


def test_reader_opens_list_follows_a_post_and_sees_the_list_below(page, live_server, make_posts):
    posts = make_posts(45, subtitles=["부제 한 줄"])
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "ko"
    assert board_numbers(page)[0] == str(posts[-1].number)
    assert len(board_numbers(page)) == 20

    page.get_by_role("link", name=posts[-3].title).click()
    page.wait_for_url(re.compile(rf"/{posts[-3].number}$"))
    assert page.locator("h1").inner_text() == posts[-3].title
    assert page.locator("ul.subtitles").inner_text() == "부제 한 줄"
    current = page.locator("table.list tr.current")
    assert current.count() == 1 and posts[-3].title in current.inner_text()
    assert page.get_by_role("link", name="원문 보기").get_attribute("href") == posts[-3].url


def test_reader_paginates_to_the_next_and_last_page(page, live_server, make_posts):
    posts = make_posts(45)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="다음", exact=True).click()
    page.wait_for_url(re.compile(r"page=2"))
    assert board_numbers(page)[0] == str(posts[-21].number)
    page.get_by_role("link", name="끝", exact=True).click()
    page.wait_for_url(re.compile(r"page=3"))
    assert board_numbers(page) == [str(p.number) for p in reversed(posts[:5])]


def test_first_tab_reaches_the_skip_link_which_jumps_to_the_content(page, live_server, make_posts):
    make_posts(3)
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "본문 바로가기"
    assert page.locator("a.skip").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#content"
    assert page.evaluate("document.activeElement.id") == "content"


def test_board_fits_a_phone_screen(browser, live_server, make_posts, tmp_path):
    make_posts(
        25,
        title="아주 긴 제목이 휴대전화 화면에서 줄바꿈되어도 표가 화면 밖으로 넘치지 않아야 한다",
    )
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    phone = context.new_page()
    phone.goto(live_server.url + "/")
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    phone.screenshot(path=tmp_path / "phone.png")
    context.close()
