import '@xyflow/react/dist/style.css';
import './base.css';
import './nodes.css';
import './validation.css';
import './panels.css';
import './sidebar.css';
import './environments.css';
import './jobs.css';
