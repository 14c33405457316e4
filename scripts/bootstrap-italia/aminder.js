// Bootstrap Italia's JavaScript, only the components Aminder's pages use, bundled by
// scripts/vendor-assets.mjs (esbuild) from the package's sources into
// static/vendor/bootstrap-italia/js/bootstrap-italia.min.js. The data-bs-* attributes work as with the
// full bundle: each plugin registers its own data API on import.
import init from 'bootstrap-italia/src/js/plugins/init'
import NavBarCollapsible from 'bootstrap-italia/src/js/plugins/navbar-collapsible' // the menu on phones
import Dropdown from 'bootstrap-italia/src/js/plugins/dropdown' // sign-in: the SPID identity providers

init()

window.bootstrap = { NavBarCollapsible, Dropdown }
