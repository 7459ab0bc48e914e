// Small behaviours of every page, kept out of the HTML so that the Content-Security-Policy can
// forbid inline script.

// A "chọn tất cả" checkbox: <input type="checkbox" data-select-all="items"> ticks or clears every
// checkbox named "items" in its form. Without JavaScript the page still offers a button that
// acts on all of them on the server.
document.addEventListener("change", (event) => {
  const box = event.target.closest("input[data-select-all]");
  if (!box || !box.form) return;
  for (const other of box.form.querySelectorAll("input[type=checkbox]")) {
    if (other.name === box.dataset.selectAll) other.checked = box.checked;
  }
});

// <button type="button" data-print> prints the page.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});

// <button data-confirm="…"> asks before it submits (a merge, an undo): "Cancel" stops it.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});
