// The warning before an idle log-in ends (WCAG 2.2.1): a modal dialog, announced and reached
// by keyboard, shown SESSION_WARN_SECONDS before the end; one button (or Escape) renews the
// session. The absolute limit after the log-in (AbsoluteSessionTimeoutMiddleware) cannot be
// renewed: the dialog says so, once, and its button only closes it. Every tab of the app shares the time of the last activity through localStorage, so
// a page used in another tab keeps this one alive too. When the session ends anyway, what was
// typed into the page's forms is kept in this tab's sessionStorage and put back after the
// next log-in, on the same page (nothing of it is sent anywhere; passwords are never kept).
(() => {
  "use strict";
  const dialog = document.getElementById("session-timeout");
  const ACTIVE = "mentorship-active-at";
  const DRAFT = "mentorship-draft:";
  const forms = [...document.querySelectorAll("main form[method=post]")].filter(
    (form) => !form.hasAttribute("data-no-draft"),
  );
  const draftKey = (form, index) => `${DRAFT}${location.pathname}#${form.id || index}`;
  const checkable = (el) => el.type === "checkbox" || el.type === "radio";
  const fields = (form) =>
    [...form.elements].filter(
      (el) =>
        el.name &&
        el.name !== "csrfmiddlewaretoken" &&
        !["password", "hidden", "file", "submit", "button", "reset"].includes(el.type),
    );
  const changed = (el) => {
    if (checkable(el)) return el.checked !== el.defaultChecked;
    if (el.tagName === "SELECT") return [...el.options].some((o) => o.selected !== o.defaultSelected);
    return el.value !== el.defaultValue;
  };

  function keepDrafts() {
    forms.forEach((form, index) => {
      const own = fields(form);
      if (!own.some(changed)) return;
      const values = own.map((el) =>
        checkable(el) ? [el.name, el.value, el.checked] : [el.name, el.value, null],
      );
      sessionStorage.setItem(draftKey(form, index), JSON.stringify(values));
    });
  }

  function restoreDrafts(notice) {
    forms.forEach((form, index) => {
      const key = draftKey(form, index);
      const saved = sessionStorage.getItem(key);
      if (!saved) return;
      sessionStorage.removeItem(key);
      const values = JSON.parse(saved);
      const own = fields(form);
      values.forEach(([name, value, checked], position) => {
        const el = own[position];
        if (!el || el.name !== name) return;
        if (checkable(el)) el.checked = checked && el.value === value;
        else el.value = value;
        el.dispatchEvent(new Event("input", { bubbles: true }));
      });
      if (notice) {
        const note = document.createElement("div");
        note.className = "alert alert-info";
        note.setAttribute("role", "status");
        note.textContent = notice;
        form.prepend(note);
      }
    });
  }

  restoreDrafts(dialog && dialog.dataset.restored);
  if (!dialog) return;

  const idle = Number(dialog.dataset.idle) * 1000;
  const warn = Number(dialog.dataset.warn) * 1000;
  const loadedAt = Date.now();
  const touch = () => localStorage.setItem(ACTIVE, String(Date.now()));
  const lastActive = () => Math.max(Number(localStorage.getItem(ACTIVE)) || 0, loadedAt);
  const warning = dialog.querySelector("[data-state=warning]");
  const ended = dialog.querySelector("[data-state=ended]");
  const countdowns = dialog.querySelectorAll("[data-countdown]");
  const extend = dialog.querySelector("[data-extend]");
  const dismiss = dialog.querySelector("[data-dismiss]");
  const absoluteEnd = Number(dialog.dataset.endsAt) || Infinity;
  let dismissed = false;
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  let over = false;
  touch();

  function end() {
    over = true;
    keepDrafts();
    warning.hidden = true;
    ended.hidden = false;
    dialog.setAttribute("aria-labelledby", "session-ended-title");
    dialog.setAttribute("aria-describedby", "session-ended-text");
    if (!dialog.open) dialog.showModal();
    ended.querySelector("a").focus();
  }

  async function renew() {
    try {
      const response = await fetch(dialog.dataset.keepAlive, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "" },
      });
      if (!response.ok) return end();
      touch();
      dialog.close();
    } catch {
      // Offline for a moment: the next tick tries again if the time is still running.
    }
  }

  function close() {
    dismissed = true;
    dialog.close();
  }

  extend.addEventListener("click", renew);
  dismiss.addEventListener("click", close);
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    if (over) return;
    if (extend.hidden) close();
    else renew();
  });
  // A form sent after the end goes to the log-in page: keep what it held first.
  forms.forEach((form) => form.addEventListener("submit", () => over && keepDrafts()));

  setInterval(() => {
    if (over) return;
    const idleEnd = lastActive() + idle;
    const absolute = absoluteEnd <= idleEnd;
    const left = Math.min(idleEnd, absoluteEnd) - Date.now();
    if (left <= 0) return end();
    if (left <= warn) {
      countdowns.forEach((el) => { el.textContent = String(Math.ceil(left / 1000)); });
      dialog.querySelector("[data-reason=idle]").hidden = absolute;
      dialog.querySelector("[data-reason=absolute]").hidden = !absolute;
      extend.hidden = absolute;
      dismiss.hidden = !absolute;
      if (!dialog.open && !(absolute && dismissed)) {
        dialog.showModal();
        (absolute ? dismiss : extend).focus();
      }
    } else if (dialog.open) {
      dialog.close(); // renewed in another tab
    }
  }, 1000);
})();
