// Copies text for the user. The async Clipboard API needs a secure context (HTTPS or localhost);
// a self-hosted exchange on plain HTTP gets the older selection copy instead. Answers whether
// the text reached the clipboard, so the page can say so or ask the user to copy by hand.

export async function copyText(text: string): Promise<boolean> {
  if (window.isSecureContext && navigator.clipboard !== undefined) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Refused (no permission, page not focused): try the selection copy below.
    }
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  try {
    // Deprecated, but the only copy an insecure context has.
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
  }
}
