/**
 * A disclosure (WAI-ARIA pattern): a button with `aria-expanded` shows or hides a panel. Escape closes it and gives
 * the focus back to the button; the focus or a click leaving the whole (button + panel) closes it; so do following a
 * link inside and going to another page (not a mere query change: the map writes its position in the URL as it moves).
 */
import { onBeforeUnmount, ref, watch, type Ref } from 'vue';
import { useRoute } from 'vue-router';

export function useDisclosure(root: Ref<HTMLElement | null>, button: Ref<HTMLElement | null>) {
  const open = ref(false);
  const route = useRoute();
  watch(() => route.path, () => { open.value = false; });

  const toggle = () => { open.value = !open.value; };
  /** Escape: closed, focus back on the button (the event stops here: an outer disclosure stays open). */
  function onKeydown(e: KeyboardEvent) {
    if (e.key !== 'Escape' || !open.value) return;
    e.stopPropagation();
    open.value = false;
    button.value?.focus();
  }
  /** A link inside was followed (even to the page already shown). */
  function onClick(e: MouseEvent) {
    if ((e.target as Element | null)?.closest('a')) open.value = false;
  }
  /** The focus went somewhere outside (not merely to nowhere, as a click on the page's background does). */
  function onFocusout(e: FocusEvent) {
    const next = e.relatedTarget as Node | null;
    if (next && !root.value?.contains(next)) open.value = false;
  }
  /** A click outside closes it (a click on a page's background moves no focus). */
  function onDocumentClick(e: MouseEvent) {
    if (open.value && !root.value?.contains(e.target as Node)) open.value = false;
  }
  watch(open, (isOpen) => {
    if (isOpen) document.addEventListener('click', onDocumentClick, true);
    else document.removeEventListener('click', onDocumentClick, true);
  });
  onBeforeUnmount(() => document.removeEventListener('click', onDocumentClick, true));
  return { open, toggle, onKeydown, onFocusout, onClick };
}
