// Loaded before Bootstrap Italia's bundle (a file, not an inline script: CSP).
// The bundled video player would otherwise inject <style> elements, which the CSP (style-src 'self')
// refuses; Aminder shows no videos.
window.VIDEOJS_NO_DYNAMIC_STYLE = true;
