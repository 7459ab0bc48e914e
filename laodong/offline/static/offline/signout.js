// Signing out of the site clears this account's offline data on the phone (docs/privacy.md),
// after asking when forms are still waiting to be sent.
(function () {
  "use strict";
  const message = document.currentScript.dataset.message;

  function request(req) {
    return new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  async function unsent(name) {
    if (indexedDB.databases) {
      const known = await indexedDB.databases();
      if (!known.some((db) => db.name === name)) return -1;
    }
    const db = await request(indexedDB.open(name));
    try {
      if (!db.objectStoreNames.contains("outbox")) return 0;
      return await request(db.transaction("outbox").objectStore("outbox").count());
    } finally {
      db.close();
    }
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-signout]");
    if (!form || form.dataset.cleared) return;
    event.preventDefault();
    const name = `laodong-offline-${form.dataset.user}`;
    try {
      const count = await unsent(name);
      if (count > 0 && !window.confirm(message.replace("%(count)s", count))) return;
      if (count >= 0) await request(indexedDB.deleteDatabase(name));
    } catch (error) {
      // Storage unavailable (a private window): nothing kept, nothing to clear.
    }
    form.dataset.cleared = "1";
    form.submit();
  });
})();
