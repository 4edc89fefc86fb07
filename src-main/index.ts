/** Electron entry: lifecycle, the window and IPC wiring. The work happens in the engine host. */
import { app, BrowserWindow, dialog, ipcMain, session, type IpcMainInvokeEvent } from 'electron'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { methodNames } from '../src-shared/contract'
import { EVENT_CHANNEL, IPC_PREFIX } from '../src-shared/bridge'
import { APP_ORIGIN, registerAppScheme, serveRenderer } from './electron/appProtocol'
import { startEngineHost } from './engineProcess/engineClient'
import { openExternalLink } from './electron/externalLinks'
import { denyUnusedPermissions } from './electron/permissions'

const projectRoot = fileURLToPath(new URL('../..', import.meta.url))
const workspaceFlag = (() => {
  const i = process.argv.indexOf('--workspace')
  return i > 0 ? process.argv[i + 1] : null
})()

if (!app.requestSingleInstanceLock()) app.quit()
registerAppScheme()

let mainWindow: BrowserWindow | null = null
const engine = startEngineHost(projectRoot, workspaceFlag, (name, payload) => mainWindow?.webContents.send(EVENT_CHANNEL, name, payload))

/** Only our own page, in the top frame, may call the API. */
function fromOurPage(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame
  return frame !== null && frame === event.sender.mainFrame && frame.url.startsWith(APP_ORIGIN + '/')
}

function wireIpc(): void {
  for (const name of methodNames) {
    ipcMain.handle(IPC_PREFIX + name, async (event, request: unknown) => {
      if (!fromOurPage(event)) return { ok: false, error: { code: 'unauthorized', message: 'call refused: not from the Featurelens page' } }
      // The engine host's dispatcher checks the request against the contract before any handler runs.
      return engine.call(name, request)
    })
  }
  ipcMain.handle(IPC_PREFIX + 'shell.chooseFolder', async (event) => {
    if (!fromOurPage(event) || !mainWindow) return null
    const result = await dialog.showOpenDialog(mainWindow, { properties: ['openDirectory'] })
    return result.canceled ? null : (result.filePaths[0] ?? null)
  })
  ipcMain.handle(IPC_PREFIX + 'shell.openExternal', (event, url: unknown) => (fromOurPage(event) ? openExternalLink(url) : undefined))
}

function createWindow(): void {
  mainWindow = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Featurelens',
    show: false,
    webPreferences: {
      preload: join(projectRoot, 'out', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true
    }
  })
  mainWindow.once('ready-to-show', () => mainWindow?.show())
  mainWindow.webContents.setWindowOpenHandler(({ url }) => {
    void openExternalLink(url)
    return { action: 'deny' }
  })
  mainWindow.webContents.on('will-navigate', (event, url) => {
    if (!url.startsWith(APP_ORIGIN + '/')) {
      event.preventDefault()
      void openExternalLink(url)
    }
  })
  mainWindow.on('closed', () => (mainWindow = null))
  void mainWindow.loadURL(`${APP_ORIGIN}/index.html`)
}

app.on('second-instance', () => {
  if (mainWindow?.isMinimized()) mainWindow.restore()
  mainWindow?.focus()
})
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault())
})
app.whenReady().then(() => {
  denyUnusedPermissions(session.defaultSession)
  serveRenderer(join(projectRoot, 'out', 'renderer'))
  wireIpc()
  createWindow()
})
app.on('window-all-closed', () => {
  engine.stop()
  app.quit()
})
