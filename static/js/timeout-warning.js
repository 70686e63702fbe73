// The GOV.UK timeout warning (templates/includes/timeout_warning.html): a modal dialog shown a
// little before the idle limit, with a countdown, "Stay signed in" and "Sign out".
//
// The server decides when a session ends (iom/core/sessions.py); this only counts down to it. It
// starts from the seconds the page was given, and starts again from the figure in the
// IOM-Session-Idle-Remaining header of each htmx response and of the keep-alive's.
const REMAINING_HEADER = "IOM-Session-Idle-Remaining";
// The page's figure is rounded down; waiting a moment past it means the server agrees it has ended.
const GRACE_MILLISECONDS = 2000;

function describe(seconds) {
  if (seconds >= 60) {
    const minutes = Math.ceil(seconds / 60);
    return minutes === 1 ? "1 minute" : `${minutes} minutes`;
  }
  return seconds === 1 ? "1 second" : `${seconds} seconds`;
}

// Screen readers hear the time when the dialog opens, at each whole minute, and at 30 and 10
// seconds: often enough to act on, not so often that it drowns everything else out.
function worthAnnouncing(seconds) {
  return seconds > 60 ? seconds % 60 === 0 : seconds === 60 || seconds === 30 || seconds === 10;
}

class TimeoutWarning {
  constructor(dialog) {
    this.dialog = dialog;
    this.warningSeconds = Number(dialog.dataset.warningSeconds);
    this.extendUrl = dialog.dataset.extendUrl;
    this.signedOutUrl = dialog.dataset.signedOutUrl;
    this.countdown = dialog.querySelector("[data-timeout-countdown]");
    this.announcement = dialog.querySelector("[data-timeout-announcement]");
    this.heading = dialog.querySelector("h2");
    this.extendForm = dialog.querySelector("[data-timeout-extend]");
    this.returnFocusTo = null;
    this.timer = null;
    this.restart(Number(dialog.dataset.remainingSeconds));

    this.extendForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.staySignedIn();
    });
    // Escape means "stay signed in", as the pattern asks, rather than leaving the clock running.
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      this.staySignedIn();
    });
    document.body.addEventListener("htmx:afterRequest", (event) => {
      const xhr = event.detail && event.detail.xhr;
      const remaining = xhr ? xhr.getResponseHeader(REMAINING_HEADER) : null;
      if (remaining !== null && !this.dialog.open) {
        this.restart(Number(remaining));
      }
    });
  }

  restart(remainingSeconds) {
    this.deadline = Date.now() + remainingSeconds * 1000;
    this.lastShown = null;
    if (this.timer === null) {
      this.timer = window.setInterval(() => this.tick(), 1000);
    }
    this.tick();
  }

  secondsLeft() {
    return Math.max(0, Math.round((this.deadline - Date.now()) / 1000));
  }

  tick() {
    const left = this.secondsLeft();
    if (left <= 0) {
      if (Date.now() >= this.deadline + GRACE_MILLISECONDS) {
        this.timedOut();
      }
      return;
    }
    if (left <= this.warningSeconds && !this.dialog.open) {
      this.open(left);
    }
    if (this.dialog.open && left !== this.lastShown) {
      this.lastShown = left;
      this.countdown.textContent = describe(left);
      if (worthAnnouncing(left)) {
        this.announce(left);
      }
    }
  }

  announce(left) {
    this.announcement.textContent = `You will be signed out in ${describe(left)}.`;
  }

  open(left) {
    this.returnFocusTo = document.activeElement;
    this.countdown.textContent = describe(left);
    this.dialog.showModal();
    this.heading.focus();
    this.lastShown = left;
    this.announce(left);
  }

  close() {
    if (this.dialog.open) {
      this.dialog.close();
    }
    this.announcement.textContent = "";
    if (this.returnFocusTo && typeof this.returnFocusTo.focus === "function") {
      this.returnFocusTo.focus();
    }
    this.returnFocusTo = null;
  }

  async staySignedIn() {
    const body = new FormData(this.extendForm);
    let response;
    try {
      response = await fetch(this.extendUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-CSRFToken": body.get("csrfmiddlewaretoken") },
      });
    } catch {
      return; // offline for a moment: the dialog stays, and the user can try again
    }
    if (response.status !== 204) {
      // The session had already ended (or was ended elsewhere): say so on the sign-in page.
      window.location.assign(this.signedOutUrl);
      return;
    }
    this.close();
    this.restart(Number(response.headers.get(REMAINING_HEADER) || this.dialog.dataset.idleSeconds));
  }

  timedOut() {
    window.clearInterval(this.timer);
    this.timer = null;
    // Ask the server rather than assume: it signs the session out and sends the sign-in page with
    // the reason, or, if another tab kept the session alive, simply shows this page again. A GET
    // of the address, not reload(), which would offer to send a form again.
    window.location.assign(window.location.href.split("#")[0]);
  }
}

export function initTimeoutWarning(root = document) {
  const dialog = root.querySelector('[data-module="app-timeout-warning"]');
  if (dialog && typeof dialog.showModal === "function") {
    return new TimeoutWarning(dialog);
  }
  return null;
}
